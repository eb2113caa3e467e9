package mdm.nn.unet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import mdm.api.MdmException;
import mdm.core.config.Json;

/**
 * The model part of an ml-mdm experiment YAML file ({@code configs/models/*.yaml}): the model name
 * ({@code model:}, else {@code vision_model:}, else {@code unet} as ml-mdm's CLI default) and the
 * {@code unet_config} mapping. The files are read as PyYAML does, so a key given twice keeps its
 * last value (the released 64×64 file repeats {@code diffusion_config} and {@code batch_size}).
 */
public record MlMdmModelFile(String model, JsonNode unetConfig) {
    /** Reads {@code file}; the rest of the experiment (diffusion, reader, trainer keys) is ignored here. */
    public static MlMdmModelFile read(Path file) {
        JsonNode root = Json.readLastWins(file); // aliases resolved, a repeated key keeps its last value
        return of(root, file.toString());
    }

    /** The model part of an already parsed experiment tree. */
    public static MlMdmModelFile of(JsonNode root, String where) {
        if (root == null || !root.isObject()) {
            throw new MdmException(where + " is not a mapping of ml-mdm experiment keys.");
        }
        JsonNode unet = root.get("unet_config");
        if (unet == null || !unet.isObject()) {
            throw new MdmException(where + " has no unet_config mapping: it is not an ml-mdm model configuration.");
        }
        String model = root.hasNonNull("model") ? root.get("model").asText()
                : root.hasNonNull("vision_model") ? root.get("vision_model").asText() : "unet";
        return new MlMdmModelFile(model, unet);
    }

    /**
     * A copy whose outermost {@code conditioning_feature_dim} is {@code dim}: what ml-mdm's training and
     * sampling CLIs do with the text encoder's width (the released files say −1).
     */
    public MlMdmModelFile withConditioningFeatureDim(int dim) {
        ObjectNode copy = unetConfig.deepCopy();
        copy.put("conditioning_feature_dim", dim);
        return new MlMdmModelFile(model, copy);
    }

    /** Parses and validates the model section. */
    public UNetBackboneConfig parse() {
        return UNetBackboneConfig.parse(model, unetConfig);
    }
}
