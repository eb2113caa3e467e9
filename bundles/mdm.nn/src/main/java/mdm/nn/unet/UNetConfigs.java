package mdm.nn.unet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import mdm.api.MdmException;
import mdm.core.config.Json;
import mdm.core.config.Names;

/**
 * Parses and validates ml-mdm model sections. The registered model name fixes the depth:
 * {@code unet} is one plain level, {@code nested_unet} one nested level around a plain UNet,
 * {@code nestedK_unet} K nested levels. As in ml-mdm, a missing {@code inner_config} takes the
 * defaults of the next-lower config (with {@code nesting: true}); nested levels default to
 * {@code skip_mid_blocks: true} and {@code skip_cond_emb: true}.
 */
public final class UNetConfigs {
    /** Fields that only a NestedUNet level has. */
    static final Set<String> NESTED_ONLY = Set.of("inner_config", "skip_inner_unet_input", "skip_normalization",
            "initialize_inner_with_pretrained", "freeze_inner_unet", "interp_conditioning");

    private UNetConfigs() {
    }

    /** The number of nested levels of a registered model name, or −1 if it is not one of ours. */
    public static int nestedLevels(String model) {
        return switch (model) {
            case "unet" -> 0;
            case "nested_unet" -> 1;
            case "nested2_unet" -> 2;
            case "nested3_unet" -> 3;
            case "nested4_unet" -> 4;
            default -> -1;
        };
    }

    /** The registered model name with {@code nested} nested levels. */
    public static String modelName(int nested) {
        return nested == 0 ? "unet" : nested == 1 ? "nested_unet" : "nested" + nested + "_unet";
    }

    /**
     * Binds and validates a {@code unet_config} tree for a model with {@code nested} nested levels.
     *
     * @throws MdmException naming the bad field and how to fix it
     */
    public static UNetConfig parse(JsonNode unetConfig, int nested) {
        JsonNode node = unetConfig == null || unetConfig.isNull() ? Json.empty() : unetConfig;
        if (!node.isObject()) {
            throw new MdmException("unet_config must be a mapping of ml-mdm UNet fields, got: " + node);
        }
        UNetConfig resolved = resolve((ObjectNode) node, nested, false, "unet_config", modelName(nested));
        validateAcrossLevels(resolved);
        return resolved;
    }

    private static UNetConfig resolve(ObjectNode given, int nested, boolean isInner, String where, String model) {
        checkKeys(given, nested, where, model);
        ObjectNode node = given.deepCopy();
        node.remove("inner_config");
        // ml-mdm reads Python's None as the string "None"
        JsonNode pretrained = node.get("initialize_inner_with_pretrained");
        if (pretrained != null && pretrained.isTextual() && pretrained.asText().equals("None")) {
            node.putNull("initialize_inner_with_pretrained");
        }
        UNetConfig raw = Json.bind(node, UNetConfig.class, where);
        UNetConfig inner = null;
        if (nested > 0) {
            JsonNode innerNode = given.get("inner_config");
            ObjectNode innerObj;
            if (innerNode == null || innerNode.isNull()) {
                innerObj = Json.empty();
                innerObj.put("nesting", true);
            } else if (innerNode.isObject()) {
                innerObj = (ObjectNode) innerNode;
            } else {
                throw new MdmException(where + ".inner_config must be a mapping of UNet fields, got: " + innerNode);
            }
            inner = resolve(innerObj, nested - 1, true, where + ".inner_config", model);
        }
        return fill(raw, inner, nested > 0, isInner, where);
    }

    private static void checkKeys(ObjectNode node, int nested, String where, String model) {
        Set<String> valid = new LinkedHashSet<>(fieldNames());
        if (nested == 0) {
            valid.removeAll(NESTED_ONLY);
        }
        List<String> nestedFields = new ArrayList<>();
        var it = node.fieldNames();
        while (it.hasNext()) {
            String key = it.next();
            if (valid.contains(key)) {
                continue;
            }
            if (NESTED_ONLY.contains(key)) {
                nestedFields.add(key);
                continue;
            }
            throw new MdmException("unknown key '" + key + "' in " + where + ": " + Names.suggestion(key, valid));
        }
        if (!nestedFields.isEmpty()) {
            int depth = where.split("\\.inner_config", -1).length - 1;
            throw new MdmException(where + " has NestedUNet fields " + nestedFields + ", but it is the innermost plain UNet "
                    + "of model '" + model + "'. For one more nesting level use model '" + modelName(depth + 1)
                    + "'; otherwise remove them.");
        }
    }

    static List<String> fieldNames() {
        List<String> names = new ArrayList<>();
        for (var c : UNetConfig.class.getRecordComponents()) {
            names.add(c.getAccessor().getAnnotation(com.fasterxml.jackson.annotation.JsonProperty.class).value());
        }
        return names;
    }

    private static UNetConfig fill(UNetConfig r, UNetConfig inner, boolean nestedLevel, boolean isInner, String where) {
        List<Integer> channels = r.resolutionChannels() != null ? r.resolutionChannels() : List.of(128, 256, 256, 512, 1024);
        int n = channels.size();
        if (n == 0) {
            throw new MdmException(where + ".resolution_channels is empty: give the channels per resolution, e.g. \"128,256,512\".");
        }
        for (int c : channels) {
            if (c <= 0) {
                throw new MdmException(where + ".resolution_channels must be positive, got " + channels + ".");
            }
        }
        List<Integer> resnets = broadcast(r.numResnetsPerResolution(), List.of(2), n, where + ".num_resnets_per_resolution");
        List<Integer> attnLevels = r.attentionLevels() != null ? r.attentionLevels() : List.of(2, 3);
        List<Integer> attnLayers = broadcast(r.numAttentionLayers(), List.of(1), n, where + ".num_attention_layers");
        List<Integer> temporalLayers = r.numTemporalAttentionLayers() == null || r.numTemporalAttentionLayers().isEmpty()
                ? null
                : broadcast(r.numTemporalAttentionLayers(), null, n, where + ".num_temporal_attention_layers");
        for (int a : attnLevels) {
            // levels beyond the last are ignored, as in ml-mdm (its default "2,3" on a two-level UNet)
            if (a < 0) {
                throw new MdmException(where + ".attention_levels contains " + a + ": levels count from 0.");
            }
        }
        nonNegative(resnets, where + ".num_resnets_per_resolution", true);
        nonNegative(attnLayers, where + ".num_attention_layers", false);
        if (temporalLayers != null) {
            nonNegative(temporalLayers, where + ".num_temporal_attention_layers", false);
        }
        boolean nesting = r.nesting() != null ? r.nesting() : isInner;
        if (isInner && !nesting) {
            throw new MdmException(where + ".nesting is false, but this level is an inner UNet: set nesting: true.");
        }
        if (!isInner && nesting) {
            throw new MdmException(where + ".nesting is true, but this is the outermost level: set nesting: false.");
        }
        String micro = r.microConditioning();
        if (micro != null) {
            checkMicro(micro, where + ".micro_conditioning");
        }
        boolean temporal = bool(r.temporalMode(), false);
        boolean spatialDs = bool(r.temporalSpatialDs(), false);
        if (temporal && !nestedLevel) {
            throw new MdmException(where + ".temporal_mode is true on a plain UNet level: video mode needs a nested level "
                    + "(the frames are nested over time around an inner image model), e.g. model nested_unet.");
        }
        if (temporal && !spatialDs) {
            int ratio = 1 << (n - 1);
            int root = (int) Math.round(Math.sqrt(ratio));
            if (root * root != ratio) {
                throw new MdmException(where + ": temporal_mode needs an odd number of resolution levels (2^(n−1) tiles "
                        + "must form a square), got " + n + ".");
            }
        }
        Integer temporalDim = r.temporalDim();
        int td = temporalDim != null ? temporalDim : 4 * channels.get(0);
        if (td < 8) {
            throw new MdmException(where + ".temporal_dim must be at least 8, got " + td + ".");
        }
        int lmHead = r.numLmHeadLayers() != null ? r.numLmHeadLayers() : 0;
        if (lmHead < 0) {
            throw new MdmException(where + ".num_lm_head_layers must be ≥ 0, got " + lmHead + ".");
        }
        int masked = r.maskedCrossAttention() != null ? r.maskedCrossAttention() : 1;
        ResNetConfig resnet = r.resnetConfig() != null ? r.resnetConfig() : ResNetConfig.DEFAULT;
        return new UNetConfig(
                resnets, temporalDim, attnLevels, attnLayers, temporalLayers,
                r.conditioningFeatureDim() != null ? r.conditioningFeatureDim() : -1,
                r.conditioningFeatureProjDim() != null ? r.conditioningFeatureProjDim() : -1,
                lmHead, masked, channels,
                bool(r.skipMidBlocks(), nestedLevel), bool(r.skipCondEmb(), nestedLevel), nesting, micro,
                temporal, spatialDs, bool(r.temporalPositionalEncoding(), false), resnet,
                inner,
                nestedLevel ? bool(r.skipInnerUnetInput(), false) : null,
                nestedLevel ? bool(r.skipNormalization(), false) : null,
                nestedLevel ? r.initializeInnerWithPretrained() : null,
                nestedLevel ? bool(r.freezeInnerUnet(), false) : null,
                nestedLevel ? bool(r.interpConditioning(), false) : null,
                Boolean.TRUE.equals(r.spatialPositionalEncoding()) ? Boolean.TRUE : null);
    }

    /**
     * Checks that hold between levels: with text conditioning, one temporal_dim for all (the innermost
     * cond_emb is added to every level's time embedding; the reference fails with a shape error).
     */
    private static void validateAcrossLevels(UNetConfig top) {
        if (top.conditioningFeatureDim() <= 0) {
            return;
        }
        List<UNetConfig> chain = top.chain();
        int width = top.conditioningFeatureDim();
        String at = "unet_config";
        for (UNetConfig c : chain) {
            int proj = c.conditioningFeatureProjDim();
            if (c.isNested() && proj > 0 && proj != width) {
                // ml-mdm passes this level's projected width on as the inner levels' token width, but the
                // tokens themselves are only projected in the innermost level: its lm_proj would not fit them
                throw new MdmException(at + ".conditioning_feature_proj_dim is " + proj + " on a nested level, which has no "
                        + "lm_proj of its own; the tokens arriving here are " + width + " wide. Set it to -1 (or " + width
                        + ") and project in the innermost level.");
            }
            width = proj > 0 ? proj : width;
            at += ".inner_config";
        }
        int td = chain.get(0).effectiveTemporalDim();
        String where = "unet_config";
        for (UNetConfig c : chain) {
            if (c.effectiveTemporalDim() != td) {
                throw new MdmException(where + ".temporal_dim is " + c.effectiveTemporalDim() + " but the outermost level's is "
                        + td + ": every nesting level must use the same temporal_dim (the innermost level's text "
                        + "embedding is added to every level's time embedding).");
            }
            where += ".inner_config";
        }
    }

    private static List<Integer> broadcast(List<Integer> given, List<Integer> fallback, int n, String where) {
        List<Integer> v = given != null ? given : fallback;
        if (v.size() == 1 && n > 1) {
            return Collections.nCopies(n, v.get(0));
        }
        if (v.size() != n) {
            throw new MdmException(where + " has " + v.size() + " entries but resolution_channels has " + n
                    + ": give one value per resolution level or a single value for all.");
        }
        return List.copyOf(v);
    }

    private static void nonNegative(List<Integer> v, String where, boolean positive) {
        for (int x : v) {
            if (x < 0 || (positive && x == 0)) {
                throw new MdmException(where + " must be " + (positive ? "positive" : "≥ 0") + ", got " + v + ".");
            }
        }
    }

    private static void checkMicro(String micro, String where) {
        Set<String> seen = new LinkedHashSet<>();
        for (String item : micro.split(",")) {
            String[] kv = item.split(":");
            if (kv.length != 2 || kv[0].isBlank()) {
                throw new MdmException(where + " must look like \"name:default,name2:default2\" (e.g. \"scale:64\"), got \""
                        + micro + "\".");
            }
            double value;
            try {
                value = Double.parseDouble(kv[1].trim());
            } catch (NumberFormatException e) {
                throw new MdmException(where + ": the default of '" + kv[0].trim() + "' must be a number, got \"" + kv[1] + "\".");
            }
            if (kv[0].trim().equals("scale") && value <= 0) {
                throw new MdmException(where + ": the default of 'scale' must be positive (values are clamped by it), got " + value + ".");
            }
            if (!seen.add(kv[0].trim())) {
                throw new MdmException(where + " names '" + kv[0].trim() + "' twice.");
            }
        }
    }

    private static boolean bool(Boolean b, boolean fallback) {
        return b != null ? b : fallback;
    }
}
