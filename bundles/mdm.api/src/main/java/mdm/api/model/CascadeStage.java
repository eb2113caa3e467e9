package mdm.api.model;

import ai.djl.ndarray.NDArray;
import mdm.api.diffusion.NoiseSource;
import org.osgi.annotation.versioning.ProviderType;

/** One network of a {@link CascadedBackbone}, as a sampler chains it. */
@ProviderType
public interface CascadeStage {
    /** The stage's denoiser (one level: {@code forward} takes and returns one image per sample). */
    Backbone network();

    /** Side of the images this stage generates. */
    int side();

    /** Classifier-free guidance weight of this stage, or NaN for the sampling default. */
    double guidance();

    /** Whether this is the base (no conditioning image). */
    boolean isBase();

    /**
     * The conditioning image for this stage made from the stage below's output (in [−1, 1]):
     * resized up to {@link #side()} and corrupted at the fixed sampling augmentation level.
     */
    NDArray conditioningImage(NDArray lower, NoiseSource noise);

    /** {@code cond} with the conditioning image and its augmentation level added (unchanged for the base). */
    Conditioning condition(Conditioning cond, NDArray image);

    /**
     * The image this stage generated from what its diffusion sampled: the sample itself, or for a
     * residual stage the sample added to the stage below's output resized up (not augmented).
     *
     * @param sampled what the sampler returned at {@link #side()}
     * @param lower   the stage below's output (null for the base)
     */
    default NDArray image(NDArray sampled, NDArray lower) {
        return sampled;
    }
}
