package mdm.trainer.internal.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import mdm.api.MdmException;
import mdm.core.config.Json;

/**
 * ml-mdm's YAML model file, both ways: the parts an experiment takes ({@code mdm:import}) and the file
 * {@code mdm:export} writes. The mapping is the identity on field names — a spec's {@code model} section is
 * ml-mdm's {@code unet_config}, its {@code diffusion} section is {@code diffusion_config} with the nested
 * {@code sampler_config}, {@code model} names the registered model — so this class only holds the section
 * names and the field lists of ml-mdm's config dataclasses, in their declaration order (checked against the
 * reference's own dataclasses by {@code MlMdmExportTest} with {@code testdata/ml-mdm-export}). Other
 * top-level keys (batch size, lr, reader settings) are training-script settings. What ml-mdm has no field for
 * travels in the section {@link #OURS}, which ml-mdm's argument parser ignores like any unknown top-level key.
 */
public record MlMdmYaml(JsonNode unetConfig, JsonNode diffusion, String modelName, JsonNode ours) {
    public static final String MODEL = "model";
    public static final String VISION_MODEL = "vision_model";
    public static final String UNET_CONFIG = "unet_config";
    public static final String DIFFUSION_CONFIG = "diffusion_config";
    public static final String SAMPLER_CONFIG = "sampler_config";
    public static final String READER_CONFIG = "reader_config";
    public static final String IMAGE_SIZE = "image_size";
    public static final String INNER_CONFIG = "inner_config";
    public static final String RESNET_CONFIG = "resnet_config";
    /** Our settings that ml-mdm has no field for (conditioner, data, condition dropout, ...). */
    public static final String OURS = "mdm_osgi";

    /** ml-mdm's {@code UNetConfig} fields. */
    public static final List<String> UNET_FIELDS = List.of("num_resnets_per_resolution", "temporal_dim",
            "attention_levels", "num_attention_layers", "num_temporal_attention_layers", "conditioning_feature_dim",
            "conditioning_feature_proj_dim", "num_lm_head_layers", "masked_cross_attention", "resolution_channels",
            "skip_mid_blocks", "skip_cond_emb", "nesting", "micro_conditioning", "temporal_mode",
            "temporal_spatial_ds", "temporal_positional_encoding", RESNET_CONFIG);
    /** The fields {@code NestedUNetConfig} adds to {@link #UNET_FIELDS}. */
    public static final List<String> NESTED_FIELDS = List.of(INNER_CONFIG, "skip_inner_unet_input",
            "skip_normalization", "initialize_inner_with_pretrained", "freeze_inner_unet", "interp_conditioning");
    /** ml-mdm's {@code ResNetConfig} fields. */
    public static final List<String> RESNET_FIELDS = List.of("num_channels", "output_channels", "num_groups_norm",
            "dropout", "use_attention_ffn");
    /** ml-mdm's {@code SamplerConfig} fields. */
    public static final List<String> SAMPLER_FIELDS = List.of("num_diffusion_steps", "reproject_signal",
            "schedule_type", "prediction_type", "loss_target_type", "beta_start", "beta_end", "threshold_function",
            "rescale_schedule", "rescale_signal", "schedule_shifted", "schedule_shifted_power");
    /** ml-mdm's {@code DiffusionConfig} fields (the {@code unet} pipeline). */
    public static final List<String> DIFFUSION_FIELDS = List.of(SAMPLER_CONFIG, "model_output_scale",
            "use_vdm_loss_weights");
    /** The fields {@code NestedDiffusionConfig} adds to {@link #DIFFUSION_FIELDS}. */
    public static final List<String> NESTED_DIFFUSION_FIELDS = List.of("use_double_loss", "multi_res_weights",
            "no_use_residual", "use_random_interp", "mixed_ratio", "random_downsample", "average_downsample",
            "mid_downsample");
    /** ml-mdm's enum values, by the field that takes them. */
    public static final Map<String, List<String>> ENUMS = Map.of(
            "schedule_type", List.of("COSINE", "DDPM", "DEEPFLOYD", "SIGMOID"),
            "prediction_type", List.of("DDPM", "DDIM", "V_PREDICTION"),
            "loss_target_type", List.of("DDPM", "DDIM", "V_PREDICTION"),
            "threshold_function", List.of("NONE", "CLIP", "DYNAMIC", "DYNAMIC_IF"));
    /** The models ml-mdm's registry builds ({@code --model}). */
    public static final List<String> MODELS = List.of("unet", "nested_unet", "nested2_unet", "nested3_unet",
            "nested4_unet");

    public static MlMdmYaml read(Path file) {
        JsonNode root = Json.readLastWins(file);
        if (root == null || !root.has(UNET_CONFIG)) {
            throw new MdmException(file + " is not an ml-mdm model YAML: it has no " + UNET_CONFIG + " section");
        }
        ObjectNode diffusion = Json.empty();
        JsonNode dc = root.get(DIFFUSION_CONFIG);
        if (dc != null && dc.isObject()) {
            diffusion.setAll(((ObjectNode) dc).deepCopy());
        }
        JsonNode ours = root.path(OURS);
        // our diffusion settings that ml-mdm has no field for come back from our section
        addMissing(diffusion, ours.path(DIFFUSION_CONFIG));
        String model = root.hasNonNull(MODEL) ? root.get(MODEL).asText() : null;
        return new MlMdmYaml(root.get(UNET_CONFIG), diffusion, model, ours.isObject() ? ours : null);
    }

    /**
     * A model section as ml-mdm's dataclass holds it: every field of the level's class ({@code UNetConfig}, or
     * {@code NestedUNetConfig} for a level with an inner one) in declaration order, absent ones as null.
     *
     * @throws MdmException for a field ml-mdm does not have
     */
    public static ObjectNode unetConfig(JsonNode level, String where) {
        boolean nested = level.hasNonNull(INNER_CONFIG);
        ObjectNode out = Json.empty();
        for (String f : UNET_FIELDS) {
            out.set(f, level.has(f) ? level.get(f).deepCopy() : NullNode.getInstance());
        }
        out.set(RESNET_CONFIG, ordered(level.path(RESNET_CONFIG), RESNET_FIELDS, where + "." + RESNET_CONFIG));
        if (nested) {
            for (String f : NESTED_FIELDS) {
                out.set(f, level.has(f) ? level.get(f).deepCopy() : NullNode.getInstance());
            }
            out.set(INNER_CONFIG, unetConfig(level.get(INNER_CONFIG), where + "." + INNER_CONFIG));
        }
        requireKnown(level, out, where);
        return out;
    }

    /**
     * A diffusion section as ml-mdm's {@code DiffusionConfig} (or {@code NestedDiffusionConfig}) holds it, from
     * our full settings ({@code DiffusionSettings.toOptions}). Fields ml-mdm has and we do not implement take
     * ml-mdm's defaults; our fields that ml-mdm lacks are put into {@code extras}.
     *
     * @throws MdmException for a value ml-mdm's enums do not have (an x0-predicting model, say)
     */
    public static ObjectNode diffusionConfig(JsonNode settings, boolean nested, ObjectNode extras) {
        ObjectNode sampler = Json.empty();
        JsonNode s = settings.path(SAMPLER_CONFIG);
        for (String f : SAMPLER_FIELDS) {
            sampler.set(f, s.has(f) ? s.get(f).deepCopy() : f.equals("reproject_signal")
                    ? Json.mapper().getNodeFactory().booleanNode(false) : NullNode.getInstance());
            List<String> allowed = ENUMS.get(f);
            if (allowed != null && !allowed.contains(sampler.get(f).asText())) {
                throw new MdmException(DIFFUSION_CONFIG + "." + SAMPLER_CONFIG + "." + f + " is "
                        + sampler.get(f).asText() + ", which ml-mdm does not have (it has " + String.join(", ", allowed)
                        + "): this model cannot be trained by ml-mdm");
            }
        }
        copyRest(s, sampler, extras, SAMPLER_CONFIG);
        ObjectNode out = Json.empty();
        out.set(SAMPLER_CONFIG, sampler);
        List<String> fields = new java.util.ArrayList<>(DIFFUSION_FIELDS);
        if (nested) {
            fields.addAll(NESTED_DIFFUSION_FIELDS);
        }
        for (String f : fields) {
            if (f.equals(SAMPLER_CONFIG)) {
                continue;
            }
            JsonNode v = settings.get(f);
            out.set(f, v != null ? v.deepCopy() : f.endsWith("_ratio") || f.endsWith("_weights")
                    ? NullNode.getInstance() : Json.mapper().getNodeFactory().booleanNode(false));
        }
        Iterator<Map.Entry<String, JsonNode>> it = settings.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!out.has(e.getKey()) && !e.getKey().equals(SAMPLER_CONFIG)) {
                boolean nestedOnly = NESTED_DIFFUSION_FIELDS.contains(e.getKey());
                // a single-level model's nested-only settings are the defaults ml-mdm's unet pipeline has anyway
                if (!nestedOnly) {
                    extras.set(e.getKey(), e.getValue().deepCopy());
                }
            }
        }
        return out;
    }

    /** Adds the fields of {@code from} that {@code to} lacks, mappings recursively. */
    private static void addMissing(ObjectNode to, JsonNode from) {
        from.fields().forEachRemaining(e -> {
            JsonNode have = to.get(e.getKey());
            if (have == null) {
                to.set(e.getKey(), e.getValue().deepCopy());
            } else if (have.isObject() && e.getValue().isObject()) {
                addMissing((ObjectNode) have, e.getValue());
            }
        });
    }

    private static void copyRest(JsonNode from, ObjectNode known, ObjectNode extras, String section) {
        Iterator<Map.Entry<String, JsonNode>> it = from.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!known.has(e.getKey())) {
                ObjectNode sub = extras.has(section) ? (ObjectNode) extras.get(section) : extras.putObject(section);
                sub.set(e.getKey(), e.getValue().deepCopy());
            }
        }
    }

    private static ObjectNode ordered(JsonNode node, List<String> fields, String where) {
        ObjectNode out = Json.empty();
        for (String f : fields) {
            out.set(f, node.has(f) ? node.get(f).deepCopy() : NullNode.getInstance());
        }
        requireKnown(node, out, where);
        return out;
    }

    private static void requireKnown(JsonNode given, ObjectNode known, String where) {
        Iterator<String> names = given.fieldNames();
        while (names.hasNext()) {
            String n = names.next();
            if (!known.has(n)) {
                throw new MdmException(where + "." + n + " has no field in ml-mdm's config: this model cannot be "
                        + "written for ml-mdm");
            }
        }
    }
}
