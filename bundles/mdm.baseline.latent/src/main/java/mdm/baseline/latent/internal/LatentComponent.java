package mdm.baseline.latent.internal;

import mdm.core.config.Json;
import mdm.api.Options;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import mdm.api.Components;
import mdm.api.MdmException;
import mdm.api.model.Backbone;
import mdm.api.model.BackboneConfig;
import mdm.api.model.BackboneFactory;
import mdm.autoencoder.AutoencoderConfig;
import mdm.autoencoder.KlAutoencoder;
import mdm.nn.unet.UNetBackboneConfig;
import mdm.nn.unet.UNetModels;
import org.osgi.service.component.annotations.Component;

/**
 * Latent diffusion ({@code latent}). Its configuration is {@code {stage, image_size, autoencoder,
 * unet}}: the spec's {@code latent.autoencoder} section and its {@code model} (the UNet, which works
 * on latent_channels × side/f × side/f). Stage 1's keys: {@code autoencoder.*} (frozen),
 * {@code scale_factor}, {@code unet.*}.
 */
@Component(service = BackboneFactory.class,
        property = {Components.NAME + "=" + LatentConfig.NAME, Components.KIND + "=" + Components.BACKBONE})
public class LatentComponent implements BackboneFactory {
    private final UNetModels unets = new UNetModels("unet");

    @Override
    public LatentConfig parseConfig(Options nodeOptions) {
        JsonNode node = Json.tree(nodeOptions);
        int stage = node.path("stage").asInt(1);
        int side = node.path("image_size").asInt(0);
        AutoencoderConfig ae = AutoencoderConfig.parse(node.get("autoencoder"), "latent.autoencoder");
        if (side <= 0 || side % ae.factor() != 0) {
            throw new MdmException("the images are " + side + "² but latent.autoencoder.factor is " + ae.factor()
                    + ": use a factor that divides the image size");
        }
        if (stage < 0 || stage > 1) {
            throw new MdmException("latent diffusion has stages 0 (autoencoder) and 1 (diffusion), not " + stage);
        }
        JsonNode model = node.get("unet");
        if (stage == 0 && (model == null || model.isEmpty())) {
            return new LatentConfig(ae, null, side, stage); // an autoencoder trained alone has no denoiser
        }
        if (model == null || !model.isObject()) {
            throw new MdmException("latent diffusion needs the UNet of its latents as the spec's 'model' section");
        }
        if (model.has("inner_config")) {
            throw new MdmException("model is nested (inner_config): the latent UNet is a plain UNet");
        }
        UNetBackboneConfig unet;
        try {
            unet = unets.parseConfig(Json.options(model));
        } catch (MdmException e) {
            throw new MdmException("model (the latent UNet): " + e.getMessage(), e);
        }
        int latentSide = side / ae.factor();
        int halvings = unet.unet().levels() - 1;
        if (latentSide % (1 << halvings) != 0) {
            throw new MdmException("the latents are " + latentSide + "² (" + side + "² images, factor " + ae.factor()
                    + ") but the UNet halves its side " + halvings + " times: the latent side must be divisible by "
                    + (1 << halvings) + ". Use fewer resolution_channels or a smaller latent.autoencoder.factor");
        }
        return new LatentConfig(ae, unet, side, stage);
    }

    @Override
    public Map<String, Shape> parameterShapes(BackboneConfig config) {
        try (NDManager m = NDManager.newBaseManager(); Backbone b = create(config, m, 0)) {
            Map<String, Shape> out = new LinkedHashMap<>();
            b.parameters().forEach((k, v) -> out.put(k, v.getShape()));
            return out;
        }
    }

    @Override
    public Backbone create(BackboneConfig config, NDManager manager, long seed) {
        if (!(config instanceof LatentConfig c)) {
            throw new MdmException("backbone 'latent' cannot use a configuration parsed by '" + config.backbone()
                    + "': parse it with the same backbone.");
        }
        KlAutoencoder ae = new KlAutoencoder(c.autoencoder(), manager, seed);
        if (c.stage() == 0) {
            return new AutoencoderStage(c, ae);
        }
        return new LatentDiffusionStage(c, ae, unets.create(c.unet(), manager, seed + 7919L, c.autoencoder().latentChannels(),
                c.autoencoder().latentChannels()), manager);
    }
}
