package mdm.nn.unet;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import mdm.api.model.BackboneConfig;
import mdm.core.config.Json;

/**
 * A validated UNet or NestedUNet configuration: the registered model name and the ml-mdm
 * {@code unet_config} levels.
 *
 * <p>{@code conditioning_feature_dim} of the outermost level is the width of the tokens the
 * backbone receives. ml-mdm's released YAML files leave it at −1 and its training CLI overwrites it
 * with the text encoder's width; callers do the same before parsing (see
 * {@link MlMdmModelFile#withConditioningFeatureDim}). The reference's in-place rewrites (the width
 * after {@code lm_proj}, copied into each inner level) are applied when the network is built.
 */
public record UNetBackboneConfig(String backbone, UNetConfig unet) implements BackboneConfig {
    /** Parses {@code unetConfig} for the registered model {@code name} (unet, nested_unet, nested2_unet, ...). */
    public static UNetBackboneConfig parse(String name, JsonNode unetConfig) {
        int nested = UNetConfigs.nestedLevels(name);
        if (nested < 0) {
            throw new mdm.api.MdmException("unknown UNet model '" + name + "': use unet, nested_unet, nested2_unet, "
                    + "nested3_unet or nested4_unet.");
        }
        return new UNetBackboneConfig(name, UNetConfigs.parse(unetConfig, nested));
    }

    @Override
    public List<Integer> levelScales() {
        List<Integer> out = new ArrayList<>(UNetLevel.nestRatio(unet));
        out.add(1);
        return List.copyOf(out);
    }

    @Override
    public int conditioningFeatureDim() {
        return unet.conditioningFeatureDim();
    }

    @Override
    public boolean temporal() {
        return unet.chain().stream().anyMatch(UNetConfig::temporalMode);
    }

    /**
     * Per output level (highest resolution first): whether its training target is made from the
     * level above by keeping every (r²)-th frame of a video mosaic (true) rather than by area
     * down-sampling (false). ml-mdm's {@code [False] + is_temporal}, without the trailing entry.
     */
    @Override
    public List<Boolean> frameSubsampled() {
        List<Boolean> out = new ArrayList<>();
        out.add(false);
        List<UNetConfig> chain = unet.chain();
        for (int i = 0; i < chain.size() - 1; i++) {
            out.add(chain.get(i).isTemporal());
        }
        return List.copyOf(out);
    }

    /** Number of output levels (nesting depth + 1). */
    public int levelCount() {
        return unet.chain().size();
    }

    /** Parses options ({@link mdm.api.model.BackboneFactory#parseConfig}) for the registered model {@code name}. */
    public static UNetBackboneConfig parse(String name, mdm.api.Options unetConfig) {
        return parse(name, Json.tree(unetConfig));
    }

    @Override
    public mdm.api.Options toOptions() {
        return Json.options(toJson());
    }

    /** The configuration as a tree in ml-mdm's field names. */
    public JsonNode toJson() {
        return Json.mapper().valueToTree(unet);
    }

    /**
     * The levels as ml-mdm's constructors leave them: each level's {@code conditioning_feature_dim} is
     * the width it works with (its projected width, after its outer level's was copied in). For
     * display and comparison; building uses {@link #unet()}.
     */
    public UNetConfig afterConstruction() {
        return rewritten(unet, unet.conditioningFeatureDim());
    }

    private static UNetConfig rewritten(UNetConfig c, int incoming) {
        int width = incoming > 0 && c.conditioningFeatureProjDim() > 0 ? c.conditioningFeatureProjDim() : incoming;
        UNetConfig inner = c.innerConfig() == null ? null : rewritten(c.innerConfig(), width);
        return new UNetConfig(c.numResnetsPerResolution(), c.temporalDim(), c.attentionLevels(), c.numAttentionLayers(),
                c.numTemporalAttentionLayers(), width, c.conditioningFeatureProjDim(), c.numLmHeadLayers(),
                c.maskedCrossAttention(), c.resolutionChannels(), c.skipMidBlocks(), c.skipCondEmb(), c.nesting(),
                c.microConditioning(), c.temporalMode(), c.temporalSpatialDs(), c.temporalPositionalEncoding(),
                c.resnetConfig(), inner, c.skipInnerUnetInput(), c.skipNormalization(), c.initializeInnerWithPretrained(),
                c.freezeInnerUnet(), c.interpConditioning(), c.spatialPositionalEncoding());
    }
}
