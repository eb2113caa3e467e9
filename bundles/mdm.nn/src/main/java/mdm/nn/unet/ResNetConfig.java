package mdm.nn.unet;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * ml-mdm {@code ResNetConfig}: settings shared by every ResNet of a UNet level.
 * {@code num_channels}/{@code output_channels} are placeholders the builder fills (−1 in the YAML files).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ResNetConfig(
        @JsonProperty("num_channels") Integer numChannels,
        @JsonProperty("output_channels") Integer outputChannels,
        @JsonProperty("num_groups_norm") Integer numGroupsNorm,
        @JsonProperty("dropout") Double dropout,
        @JsonProperty("use_attention_ffn") Boolean useAttentionFfn) {

    /** The defaults: 32 groups, no dropout, no attention FFN. */
    public static final ResNetConfig DEFAULT = new ResNetConfig(-1, -1, 32, 0.0, false);

    public ResNetConfig {
        numChannels = numChannels == null ? -1 : numChannels;
        outputChannels = outputChannels == null ? -1 : outputChannels;
        numGroupsNorm = numGroupsNorm == null ? 32 : numGroupsNorm;
        dropout = dropout == null ? 0.0 : dropout;
        useAttentionFfn = useAttentionFfn != null && useAttentionFfn;
        if (numGroupsNorm <= 0) {
            throw new IllegalArgumentException("resnet_config.num_groups_norm must be positive, got " + numGroupsNorm);
        }
        if (dropout < 0 || dropout >= 1) {
            throw new IllegalArgumentException("resnet_config.dropout must be in [0, 1), got " + dropout);
        }
    }
}
