package mdm.diffusion;

import ai.djl.ndarray.NDArray;
import java.util.List;

/**
 * The loss of one training batch.
 *
 * @param total       the scalar to differentiate: mean over examples, or Σ w·loss / Σ w with VDM weights
 * @param perExample  Σ_levels weight·MSE per example (B)
 * @param perLevel    each level's weighted contribution per example (B; zero for examples a level skips)
 * @param predictions each level's prediction in the loss target space, for its active examples
 * @param weights     the VDM weight per example, or null
 */
public record TrainingLoss(NDArray total, NDArray perExample, List<NDArray> perLevel, List<NDArray> predictions,
        NDArray weights) {
    public TrainingLoss {
        perLevel = List.copyOf(perLevel);
        predictions = List.copyOf(predictions);
    }
}
