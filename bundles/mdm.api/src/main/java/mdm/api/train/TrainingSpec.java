package mdm.api.train;

/**
 * @param batchSize        samples per micro-batch (a stage may override it)
 * @param checkpointEvery  optimiser steps between checkpoints
 * @param sampleEvery      optimiser steps between sample grids (0 = only at the end)
 * @param logEvery         optimiser steps between metrics lines
 * @param keepCheckpoints  how many periodic checkpoints to keep (the final one is always kept)
 * @param devices          devices for data parallel training; empty = the runtime's device
 * @param dataWorkers      decoder threads of the dataset
 */
public record TrainingSpec(int batchSize, long checkpointEvery, long sampleEvery, long logEvery, int keepCheckpoints,
                           java.util.List<String> devices, int dataWorkers) {
    public TrainingSpec {
        devices = devices == null ? java.util.List.of() : java.util.List.copyOf(devices);
    }
}
