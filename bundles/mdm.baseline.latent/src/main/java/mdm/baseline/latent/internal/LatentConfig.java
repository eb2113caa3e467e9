package mdm.baseline.latent.internal;

import mdm.api.Options;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import mdm.api.model.BackboneConfig;
import mdm.autoencoder.AutoencoderConfig;
import mdm.core.config.Json;
import mdm.nn.unet.UNetBackboneConfig;

/**
 * Latent diffusion up to one of its stages: 0 = the autoencoder alone, 1 = the autoencoder (frozen)
 * and the UNet on its latents. {@code unet} is null for an autoencoder trained alone.
 */
record LatentConfig(AutoencoderConfig autoencoder, UNetBackboneConfig unet, int imageSide, int stage)
        implements BackboneConfig {
    static final String NAME = "latent";

    int latentSide() {
        return imageSide / autoencoder.factor();
    }

    @Override
    public String backbone() {
        return NAME;
    }

    @Override
    public List<Integer> levelScales() {
        return List.of(1);
    }

    @Override
    public int conditioningFeatureDim() {
        return unet == null ? 0 : unet.conditioningFeatureDim();
    }

    @Override
    public boolean temporal() {
        return false;
    }

    @Override
    public Options toOptions() {
        return Json.options(toJson());
    }
    
    /** The configuration as a Jackson tree. */
    public JsonNode toJson() {
        ObjectNode o = Json.empty();
        o.put("stage", stage);
        o.put("image_size", imageSide);
        o.set("autoencoder", autoencoder.toJson());
        if (unet != null) {
            o.set("unet", unet.toJson());
        }
        return o;
    }
}
