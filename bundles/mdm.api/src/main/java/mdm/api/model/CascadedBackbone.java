package mdm.api.model;

import ai.djl.ndarray.NDArray;
import java.util.List;
import java.util.function.DoubleSupplier;
import mdm.api.diffusion.NoiseSource;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A cascade (Ho et al. 2021; Saharia et al. 2022): a base network at a low resolution followed by
 * super-resolution networks, each conditioned on the image of the one below, sampled one after
 * another. As a {@link Backbone} it is the network it trains: the last stage of {@link #chain()}
 * (the ones below are carried along, frozen, so that a checkpoint holds the whole chain).
 */
@ProviderType
public interface CascadedBackbone extends Backbone {
    /** Key under which a super-resolution stage receives its conditioning image in {@link Conditioning#micros()} (B×C×H×W). */
    String CONDITIONING_IMAGE = "lowres";

    /** Key of the noise-augmentation level of the conditioning image in {@link Conditioning#micros()} (B, in [0, 1]). */
    String AUGMENTATION_LEVEL = "noise_aug";

    /** The networks in sampling order: the base first, this backbone's own network last. */
    List<CascadeStage> chain();

    /**
     * The conditioning of a training batch for the network this backbone trains: for a
     * super-resolution stage the clean batch is reduced to the resolution below, resized back up,
     * and corrupted at a level drawn uniformly from [0, a_max] per example (noise-conditioning
     * augmentation); the base stage returns {@code cond} unchanged.
     *
     * @param clean   the clean batch at this stage's resolution, in [−1, 1]
     * @param normal  standard normal draws (the trainer's resumable generator)
     * @param uniform uniform draws in [0, 1) from the same generator
     */
    Conditioning trainingConditioning(NDArray clean, Conditioning cond, NoiseSource normal, DoubleSupplier uniform);

    /**
     * What the diffusion of the network this backbone trains models, for a clean training batch at
     * its resolution: the batch itself, or for a residual super-resolution stage the batch minus its
     * own reduction to the resolution below resized back up (clean, not augmented). Sampling turns
     * the result back into an image with {@link CascadeStage#image}.
     */
    default NDArray diffusionData(NDArray clean) {
        return clean;
    }
}
