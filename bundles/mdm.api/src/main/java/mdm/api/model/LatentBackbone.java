package mdm.api.model;

import ai.djl.ndarray.NDArray;
import mdm.api.diffusion.NoiseSource;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Latent diffusion (Rombach et al. 2022): a denoiser of an autoencoder's latents. As a
 * {@link Backbone} it is the denoiser (one level, on scaled latents); the autoencoder is carried
 * along, frozen, with the scale factor that gives the training latents unit variance.
 */
@ProviderType
public interface LatentBackbone extends Backbone {
    /** Channels of the latents. */
    int latentChannels();

    /** Side of the latents. */
    int latentSide();

    /** Images in [−1, 1] → latents drawn from the encoder's posterior, times the scale factor. */
    NDArray encode(NDArray images, NoiseSource normal);

    /** Scaled latents → images (not clipped). */
    NDArray decode(NDArray latents);

    /** Whether the scale factor has been measured (or loaded with the weights). */
    boolean scaleMeasured();

    /**
     * Sets the scale factor to 1 / std of the unscaled latents of {@code images} (training data), LDM's
     * {@code scale_factor}; it is a parameter, so checkpoints keep it.
     *
     * @return the factor
     */
    double measureScale(NDArray images, NoiseSource normal);
}
