package mdm.api.train;

/**
 * @param batchSize        samples per micro-batch (a stage may override it)
 * @param checkpointEvery  optimiser steps between checkpoints
 * @param sampleEvery      optimiser steps between sample grids (0 = only at the end)
 * @param logEvery         optimiser steps between metrics lines
 * @param keepCheckpoints  how many periodic checkpoints to keep (the final one is always kept)
 * @param devices          devices for data parallel training; empty = the runtime's device
 * @param dataWorkers      decoder threads of the dataset
 * @param maxSkippedSteps  optimiser steps in a row whose loss or gradient may be non-finite (each is skipped)
 *                         before the run is declared diverged and fails
 */
public record TrainingSpec(int batchSize, long checkpointEvery, long sampleEvery, long logEvery, int keepCheckpoints,
                           java.util.List<String> devices, int dataWorkers, int maxSkippedSteps) {
    /** The default for {@link #maxSkippedSteps}. */
    public static final int DEFAULT_MAX_SKIPPED_STEPS = 10;

    public TrainingSpec {
        devices = devices == null ? java.util.List.of() : java.util.List.copyOf(devices);
    }

    /** With the default {@link #maxSkippedSteps}. */
    public TrainingSpec(int batchSize, long checkpointEvery, long sampleEvery, long logEvery, int keepCheckpoints,
                        java.util.List<String> devices, int dataWorkers) {
        this(batchSize, checkpointEvery, sampleEvery, logEvery, keepCheckpoints, devices, dataWorkers,
                DEFAULT_MAX_SKIPPED_STEPS);
    }
}
