package mdm.baseline.latent.internal;

import ai.djl.ndarray.NDArray;
import java.util.List;
import java.util.Map;
import java.util.Set;
import mdm.api.NothingToSampleException;
import mdm.api.diffusion.NoiseSource;
import mdm.api.model.BackboneConfig;
import mdm.api.model.Conditioning;
import mdm.api.model.SelfTrainedBackbone;
import mdm.autoencoder.KlAutoencoder;

/** Stage 0 of latent diffusion: the autoencoder, trained by reconstruction + KL; its keys are the autoencoder's. */
final class AutoencoderStage implements SelfTrainedBackbone {
    private final LatentConfig config;
    private final KlAutoencoder autoencoder;

    AutoencoderStage(LatentConfig config, KlAutoencoder autoencoder) {
        this.config = config;
        this.autoencoder = autoencoder;
    }

    @Override
    public BackboneConfig config() {
        return config;
    }

    @Override
    public Map<String, NDArray> parameters() {
        return autoencoder.parameters();
    }

    @Override
    public Set<String> frozen() {
        return Set.of();
    }

    @Override
    public Map<String, NDArray> trainingLoss(NDArray images, NoiseSource normal) {
        return autoencoder.loss(images, normal);
    }

    /** The autoencoder is no denoiser: it reconstructs (for callers that hold it as a plain backbone). */
    @Override
    public List<NDArray> forward(List<NDArray> noisy, NDArray times, Conditioning cond, boolean training) {
        throw new NothingToSampleException("an autoencoder is not a denoiser, so it has nothing to sample: sample from "
                + "the checkpoint of latent diffusion's second stage, or train one on this autoencoder (a latent spec "
                + "with latent.autoencoder_checkpoint naming its run)");
    }

    KlAutoencoder autoencoder() {
        return autoencoder;
    }

    @Override
    public void close() {
        autoencoder.close();
    }
}
