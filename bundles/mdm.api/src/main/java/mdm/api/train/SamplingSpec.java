package mdm.api.train;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * @param steps     inference steps
 * @param guidance  classifier-free guidance weight (1 = none)
 * @param count     images per sample grid
 * @param ema       use the EMA weights
 * @param options   sampler options (e.g. eta)
 */
public record SamplingSpec(int steps, double guidance, int count, boolean ema, JsonNode options) {
}
