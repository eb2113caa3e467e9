package mdm.api.train;

import java.util.Map;

/**
 * A snapshot of a job's progress.
 *
 * @param stage          name of the current stage
 * @param step           optimiser steps done over all stages
 * @param totalSteps     optimiser steps of all stages
 * @param loss           recent mean loss
 * @param levelLosses    recent mean loss per resolution (e.g. "32" → 0.12)
 * @param imagesPerSecond training throughput
 * @param etaSeconds     estimated seconds left
 * @param message        the latest event (checkpoint written, stage started, why it stopped)
 */
public record Progress(String stage, long step, long totalSteps, double loss, Map<String, Double> levelLosses,
                       double learningRate, double imagesPerSecond, double etaSeconds, String message) {
    public Progress {
        levelLosses = Map.copyOf(levelLosses);
    }
}
