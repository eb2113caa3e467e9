package mdm.trainer.internal.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import mdm.api.MdmException;
import mdm.core.config.Json;

/**
 * The parts of an ml-mdm YAML file an experiment takes: the {@code unet_config} model section and
 * the diffusion settings ({@code diffusion_config} with its nested {@code sampler_config}). Other
 * top-level keys (batch size, lr, reader settings) are training-script settings and stay there.
 */
public record MlMdmYaml(JsonNode unetConfig, JsonNode diffusion, String modelName) {
    public static MlMdmYaml read(Path file) {
        JsonNode root = Json.readLastWins(file);
        if (root == null || !root.has("unet_config")) {
            throw new MdmException(file + " is not an ml-mdm model YAML: it has no unet_config section");
        }
        ObjectNode diffusion = Json.empty();
        JsonNode dc = root.get("diffusion_config");
        if (dc != null && dc.isObject()) {
            diffusion.setAll(((ObjectNode) dc).deepCopy());
        }
        String model = root.hasNonNull("model") ? root.get("model").asText() : null;
        return new MlMdmYaml(root.get("unet_config"), diffusion, model);
    }
}
