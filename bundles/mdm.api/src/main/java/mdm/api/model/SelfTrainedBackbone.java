package mdm.api.model;

import ai.djl.ndarray.NDArray;
import java.util.Map;
import mdm.api.diffusion.NoiseSource;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A network a trainer trains by its own objective instead of by denoising: the autoencoder stage
 * of latent diffusion (reconstruction + KL). It is not sampled.
 */
@ProviderType
public interface SelfTrainedBackbone extends Backbone {
    /** Key of the total loss (the scalar to minimise) in {@link #trainingLoss}. */
    String LOSS = "loss";

    /**
     * The objective on a batch of clean images in [−1, 1]: {@link #LOSS} and its parts by name, each
     * a scalar.
     *
     * @param normal standard normal draws (the trainer's resumable generator)
     */
    Map<String, NDArray> trainingLoss(NDArray images, NoiseSource normal);
}
