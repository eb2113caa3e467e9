package mdm.nn.unet;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One level of an ml-mdm model section ({@code unet_config}), with ml-mdm's field names and value
 * forms. ml-mdm's {@code UNetConfig} and {@code NestedUNetConfig} are one record here: a level with
 * an {@link #innerConfig()} is a NestedUNet level, and the nested-only fields are null on a plain
 * UNet level. Values are as given (after defaults are filled by {@link UNetConfigs#parse}); the
 * reference's in-place rewrites (the conditioning width after {@code lm_proj}, the inner level's
 * copy of the outer width) are derived by the builder, so that {@code toJson} round-trips.
 *
 * <p>Integer lists accept {@code [2,2,1]}, {@code "2,2,1"} or a single value (broadcast to all levels).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record UNetConfig(
        @JsonProperty("num_resnets_per_resolution") @JsonDeserialize(using = IntListDeserializer.class)
        List<Integer> numResnetsPerResolution,
        @JsonProperty("temporal_dim") Integer temporalDim,
        @JsonProperty("attention_levels") @JsonDeserialize(using = IntListDeserializer.class)
        List<Integer> attentionLevels,
        @JsonProperty("num_attention_layers") @JsonDeserialize(using = IntListDeserializer.class)
        List<Integer> numAttentionLayers,
        @JsonProperty("num_temporal_attention_layers") @JsonDeserialize(using = IntListDeserializer.class)
        List<Integer> numTemporalAttentionLayers,
        @JsonProperty("conditioning_feature_dim") Integer conditioningFeatureDim,
        @JsonProperty("conditioning_feature_proj_dim") Integer conditioningFeatureProjDim,
        @JsonProperty("num_lm_head_layers") Integer numLmHeadLayers,
        @JsonProperty("masked_cross_attention") Integer maskedCrossAttention,
        @JsonProperty("resolution_channels") @JsonDeserialize(using = IntListDeserializer.class)
        List<Integer> resolutionChannels,
        @JsonProperty("skip_mid_blocks") Boolean skipMidBlocks,
        @JsonProperty("skip_cond_emb") Boolean skipCondEmb,
        @JsonProperty("nesting") Boolean nesting,
        @JsonProperty("micro_conditioning") String microConditioning,
        @JsonProperty("temporal_mode") Boolean temporalMode,
        @JsonProperty("temporal_spatial_ds") Boolean temporalSpatialDs,
        @JsonProperty("temporal_positional_encoding") Boolean temporalPositionalEncoding,
        @JsonProperty("resnet_config") ResNetConfig resnetConfig,
        // NestedUNet levels only
        @JsonProperty("inner_config") UNetConfig innerConfig,
        @JsonProperty("skip_inner_unet_input") Boolean skipInnerUnetInput,
        @JsonProperty("skip_normalization") Boolean skipNormalization,
        @JsonProperty("initialize_inner_with_pretrained") String initializeInnerWithPretrained,
        @JsonProperty("freeze_inner_unet") Boolean freezeInnerUnet,
        @JsonProperty("interp_conditioning") Boolean interpConditioning,
        // ours, not ml-mdm's: absolute position after conv_in (SpatialPositionEncoding); null = off
        @JsonProperty("spatial_positional_encoding") Boolean spatialPositionalEncoding) {

    /** The record as it was before {@code spatial_positional_encoding} (kept for callers of 2.0). */
    public UNetConfig(List<Integer> numResnetsPerResolution, Integer temporalDim, List<Integer> attentionLevels,
            List<Integer> numAttentionLayers, List<Integer> numTemporalAttentionLayers, Integer conditioningFeatureDim,
            Integer conditioningFeatureProjDim, Integer numLmHeadLayers, Integer maskedCrossAttention,
            List<Integer> resolutionChannels, Boolean skipMidBlocks, Boolean skipCondEmb, Boolean nesting,
            String microConditioning, Boolean temporalMode, Boolean temporalSpatialDs,
            Boolean temporalPositionalEncoding, ResNetConfig resnetConfig, UNetConfig innerConfig,
            Boolean skipInnerUnetInput, Boolean skipNormalization, String initializeInnerWithPretrained,
            Boolean freezeInnerUnet, Boolean interpConditioning) {
        this(numResnetsPerResolution, temporalDim, attentionLevels, numAttentionLayers, numTemporalAttentionLayers,
                conditioningFeatureDim, conditioningFeatureProjDim, numLmHeadLayers, maskedCrossAttention,
                resolutionChannels, skipMidBlocks, skipCondEmb, nesting, microConditioning, temporalMode,
                temporalSpatialDs, temporalPositionalEncoding, resnetConfig, innerConfig, skipInnerUnetInput,
                skipNormalization, initializeInnerWithPretrained, freezeInnerUnet, interpConditioning, null);
    }

    /** Whether this level adds {@code SpatialPositionEncoding} after {@code conv_in}. */
    @JsonIgnore
    public boolean hasSpatialPositionalEncoding() {
        return Boolean.TRUE.equals(spatialPositionalEncoding);
    }

    /** Whether this level wraps an inner model (a NestedUNet level). */
    @JsonIgnore
    public boolean isNested() {
        return innerConfig != null;
    }

    /** Number of resolutions of this level. */
    public int levels() {
        return resolutionChannels.size();
    }

    /** {@code temporal_dim}, or 4 × the first level's channels when not given. */
    public int effectiveTemporalDim() {
        return temporalDim != null ? temporalDim : 4 * resolutionChannels.get(0);
    }

    /** Attention layers after each ResNet of level {@code i} (0 unless i is an attention level). */
    public int attentionLayersAt(int i) {
        return attentionLevels.contains(i) ? numAttentionLayers.get(i) : 0;
    }

    /** Temporal attention blocks after each ResNet of level {@code i}. */
    public int temporalAttentionLayersAt(int i) {
        return numTemporalAttentionLayers == null ? 0 : numTemporalAttentionLayers.get(i);
    }

    /** The micro-conditioning keys with their defaults, in order; empty when not configured. */
    public Map<String, Double> microDefaults() {
        Map<String, Double> out = new LinkedHashMap<>();
        if (microConditioning == null || microConditioning.isBlank()) {
            return out;
        }
        for (String item : microConditioning.split(",")) {
            String[] kv = item.split(":");
            out.put(kv[0].trim(), Double.parseDouble(kv[1].trim()));
        }
        return out;
    }

    /** Whether this level's frames live along a block axis (video mode, resampling over time). */
    @JsonIgnore
    public boolean isTemporal() {
        return temporalMode && !temporalSpatialDs;
    }

    /** The levels from this one inwards, outermost first. */
    public List<UNetConfig> chain() {
        List<UNetConfig> out = new java.util.ArrayList<>();
        for (UNetConfig c = this; c != null; c = c.innerConfig()) {
            out.add(c);
        }
        return out;
    }
}
