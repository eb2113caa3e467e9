package mdm.baseline.latent.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import mdm.api.MdmException;
import mdm.api.diffusion.NoiseSource;
import mdm.api.model.Backbone;
import mdm.api.model.BackboneConfig;
import mdm.api.model.Conditioning;
import mdm.api.model.LatentBackbone;
import mdm.autoencoder.KlAutoencoder;
import mdm.core.tensor.Scalars;

/**
 * Stage 1 of latent diffusion: the UNet denoises scaled latents of the frozen autoencoder. The
 * scale factor is a one-element parameter ({@code scale_factor}, frozen), 0 until measured, so a
 * checkpoint carries it with the weights.
 */
final class LatentDiffusionStage implements LatentBackbone {
    static final String AUTOENCODER = "autoencoder.";
    static final String UNET = "unet.";
    static final String SCALE = "scale_factor";

    private final LatentConfig config;
    private final KlAutoencoder autoencoder;
    private final Backbone unet;
    private final NDManager manager;
    private final NDArray scale;
    private final Map<String, NDArray> parameters = new LinkedHashMap<>();
    private final Set<String> frozen = new LinkedHashSet<>();

    LatentDiffusionStage(LatentConfig config, KlAutoencoder autoencoder, Backbone unet, NDManager parent) {
        this.config = config;
        this.autoencoder = autoencoder;
        this.unet = unet;
        this.manager = parent.newSubManager();
        this.scale = manager.zeros(new Shape(1), DataType.FLOAT32);
        autoencoder.parameters().forEach((k, v) -> parameters.put(AUTOENCODER + k, v));
        parameters.put(SCALE, scale);
        unet.parameters().forEach((k, v) -> parameters.put(UNET + k, v));
        frozen.addAll(autoencoder.parameters().keySet().stream().map(k -> AUTOENCODER + k).toList());
        frozen.add(SCALE);
        unet.frozen().forEach(k -> frozen.add(UNET + k));
    }

    @Override
    public BackboneConfig config() {
        return config;
    }

    @Override
    public Map<String, NDArray> parameters() {
        return Collections.unmodifiableMap(parameters);
    }

    /** The autoencoder and the scale factor stay as stage 0 and the measurement left them. */
    @Override
    public Set<String> frozen() {
        return Collections.unmodifiableSet(frozen);
    }

    @Override
    public List<NDArray> forward(List<NDArray> noisy, NDArray times, Conditioning cond, boolean training) {
        return unet.forward(noisy, times, cond, training);
    }

    @Override
    public int latentChannels() {
        return config.autoencoder().latentChannels();
    }

    @Override
    public int latentSide() {
        return config.latentSide();
    }

    @Override
    public NDArray encode(NDArray images, NoiseSource normal) {
        requireScale();
        NDArray z = autoencoder.sample(autoencoder.posterior(images), normal);
        return z.mul(scale.toDevice(z.getDevice(), false));
    }

    @Override
    public NDArray decode(NDArray latents) {
        requireScale();
        return autoencoder.decode(latents.div(scale.toDevice(latents.getDevice(), false)));
    }

    @Override
    public boolean scaleMeasured() {
        return scale.getFloat() != 0f;
    }

    @Override
    public double measureScale(NDArray images, NoiseSource normal) {
        NDArray z = autoencoder.sample(autoencoder.posterior(images), normal);
        double std = Math.sqrt(z.sub(z.mean()).square().sum().getFloat() / (z.getShape().size() - 1));
        if (!(std > 0) || !Double.isFinite(std)) {
            throw new MdmException("the autoencoder's latents have standard deviation " + std
                    + " on the training data: train the autoencoder stage longer, or check its loss");
        }
        double factor = 1.0 / std;
        // in place, from a native scalar: the parameter map holds this very array
        scale.muli(Scalars.of(manager, 0.0)).addi(Scalars.of(manager, factor).toType(DataType.FLOAT32, false));
        return factor;
    }

    private void requireScale() {
        if (!scaleMeasured()) {
            throw new MdmException("the latent scale factor has not been measured: the trainer measures it on the "
                    + "training data when the diffusion stage starts");
        }
    }

    @Override
    public void close() {
        unet.close();
        autoencoder.close();
        manager.close();
    }
}
