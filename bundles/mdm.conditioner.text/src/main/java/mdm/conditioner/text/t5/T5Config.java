package mdm.conditioner.text.t5;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import mdm.api.MdmException;
import mdm.core.config.Json;

/**
 * The encoder-relevant fields of a Hugging Face T5 {@code config.json} (T5, T5 v1.1, flan-T5; the
 * file's other fields are ignored). {@code feed_forward_proj} is {@code [gated-]activation}; HF
 * maps {@code gated-gelu} to the tanh approximation ("gelu_new").
 */
public record T5Config(int vocabSize, int dModel, int dKv, int dFf, int numLayers, int numHeads,
                       int relativeAttentionNumBuckets, int relativeAttentionMaxDistance,
                       double layerNormEpsilon, boolean gated, Activation activation) {

    /** The feed-forward nonlinearity. */
    public enum Activation {
        RELU, GELU_ERF, GELU_TANH, SILU
    }

    /** Reads {@code config.json} in {@code folder}. */
    public static T5Config read(Path folder) {
        Path file = folder.resolve("config.json");
        if (!file.toFile().isFile()) {
            throw new MdmException("no config.json in " + folder.toAbsolutePath()
                    + ": put a Hugging Face T5 / flan-T5 model folder there (config.json and model.safetensors"
                    + " or its shards), see mdm.conditioner.text's README.");
        }
        return fromJson(Json.read(file), file.toString());
    }

    public static T5Config fromJson(JsonNode json, String source) {
        String modelType = json.path("model_type").asText("t5");
        if (!modelType.equals("t5") && !modelType.equals("mt5")) {
            throw new MdmException(source + ": model_type '" + modelType + "' is not T5; the t5 conditioner reads "
                    + "T5, T5 v1.1, mT5 and flan-T5 encoders (model_type t5 or mt5).");
        }
        String proj = json.path("feed_forward_proj").asText("relu");
        boolean gated = proj.startsWith("gated-");
        String act = gated ? proj.substring("gated-".length()) : proj;
        Activation activation = switch (act) {
            case "relu" -> Activation.RELU;
            case "gelu" -> gated ? Activation.GELU_TANH : Activation.GELU_ERF; // HF: gated-gelu means gelu_new
            case "gelu_new", "gelu_pytorch_tanh" -> Activation.GELU_TANH;
            case "silu", "swish" -> Activation.SILU;
            default -> throw new MdmException(source + ": feed_forward_proj '" + proj
                    + "' is not supported; use relu, gelu, gelu_new, silu, optionally prefixed with 'gated-'.");
        };
        return new T5Config(
                required(json, "vocab_size", source), required(json, "d_model", source), required(json, "d_kv", source),
                required(json, "d_ff", source), required(json, "num_layers", source), required(json, "num_heads", source),
                json.path("relative_attention_num_buckets").asInt(32),
                json.path("relative_attention_max_distance").asInt(128),
                json.path("layer_norm_epsilon").asDouble(1e-6), gated, activation);
    }

    /** Width of the attention projections (heads × d_kv; not always d_model). */
    public int innerDim() {
        return numHeads * dKv;
    }

    private static int required(JsonNode json, String key, String source) {
        JsonNode v = json.get(key);
        if (v == null || !v.canConvertToInt() || v.asInt() <= 0) {
            throw new MdmException(source + ": '" + key + "' is missing or not a positive integer; is this a T5 config.json?");
        }
        return v.asInt();
    }
}
