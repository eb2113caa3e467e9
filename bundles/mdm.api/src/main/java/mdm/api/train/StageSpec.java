package mdm.api.train;

/**
 * One progressive stage: train the innermost {@code levels} resolution levels for {@code steps}.
 * A stage with more levels than the one before starts from its weights (the earlier network
 * becomes the inner one, keys re-prefixed with {@code inner_unet.}).
 *
 * @param freezeInnerSteps steps during which the parameters inherited from the previous stage stay fixed
 * @param mixedRatio       ml-mdm mixed_ratio for this stage (e.g. "1:3"), or null
 * @param batchSize        overrides the training batch size, or 0
 * @param lr               overrides the optimiser's lr, or 0
 */
public record StageSpec(String name, int levels, long steps, long freezeInnerSteps, String mixedRatio, int batchSize,
                        double lr) {
}
