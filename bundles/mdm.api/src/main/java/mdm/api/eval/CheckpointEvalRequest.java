package mdm.api.eval;

import java.nio.file.Path;
import java.util.List;

/**
 * Measure a checkpoint's samples.
 *
 * @param checkpoint     a checkpoint folder or a run folder (its latest checkpoint)
 * @param n              images to generate
 * @param sampler        sampler name, or null for the experiment's
 * @param steps          inference steps, or null for the experiment's
 * @param guidance       guidance weight, or null for the experiment's
 * @param seed           noise and condition seed
 * @param ema            use the EMA weights when the checkpoint has them
 * @param metrics        metric names
 * @param featureNetwork a feature network by name, or null for the dataset's
 * @param saveFeatures   also write features.npz
 * @param batchSize      images generated at once, or 0 for the default
 */
public record CheckpointEvalRequest(Path checkpoint, int n, String sampler, Integer steps, Double guidance,
                                    long seed, boolean ema, List<String> metrics, String featureNetwork,
                                    boolean saveFeatures, int batchSize) {
    public CheckpointEvalRequest {
        metrics = List.copyOf(metrics);
    }
}
