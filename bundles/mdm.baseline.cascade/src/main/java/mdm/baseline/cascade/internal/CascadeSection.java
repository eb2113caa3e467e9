package mdm.baseline.cascade.internal;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * The cascade backbone's configuration: the spec's {@code cascade} section as written, with the
 * base model (the spec's {@code model} section) and the stage up to which the cascade is built.
 *
 * @param stage           0 for the base alone, k for the base and the first k super-resolution stages
 * @param base            the base UNet (ml-mdm unet_config names)
 * @param baseResolution  side of the base model's images (e.g. 16)
 * @param superResolution the super-resolution stages, lowest resolution first
 */
record CascadeSection(
        @JsonProperty("stage") Integer stage,
        @JsonProperty("base") JsonNode base,
        @JsonProperty("base_resolution") Integer baseResolution,
        @JsonProperty("super_resolution") List<SuperResolutionFile> superResolution) {

    /**
     * One super-resolution stage.
     *
     * @param resolution      side of its output
     * @param inputResolution side of its conditioning image (optional: checked against the stage below)
     * @param noiseAugMax     a_max: training draws the augmentation level uniformly from [0, a_max]
     * @param noiseAugSample  the fixed augmentation level at sampling
     * @param guidance        its classifier-free guidance weight (default: the sampling guidance)
     * @param residual        whether the stage generates the residual over the bilinear up-sampled image below
     *                        (SRDiff) rather than the image itself (default false, as Imagen)
     * @param lossTargetType  the space of this stage's training loss (ml-mdm's {@code loss_target_type}; default:
     *                        the spec's diffusion section)
     * @param model           its UNet (ml-mdm unet_config names); {@code noise_aug} micro-conditioning is added
     */
    record SuperResolutionFile(
            @JsonProperty("resolution") Integer resolution,
            @JsonProperty("input_resolution") Integer inputResolution,
            @JsonProperty("noise_aug_max") Double noiseAugMax,
            @JsonProperty("noise_aug_sample") Double noiseAugSample,
            @JsonProperty("guidance") Double guidance,
            @JsonProperty("residual") Boolean residual,
            @JsonProperty("loss_target_type") String lossTargetType,
            @JsonProperty("model") JsonNode model) {
    }
}
