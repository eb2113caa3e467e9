package mdm.api.train;

import mdm.api.Options;

/**
 * @param steps     inference steps
 * @param guidance  classifier-free guidance weight (1 = none)
 * @param count     images per sample grid
 * @param ema       use the EMA weights
 * @param options   sampler options (e.g. eta)
 */
public record SamplingSpec(int steps, double guidance, int count, boolean ema, Options options) {
    public SamplingSpec {
        options = options == null ? Options.empty() : options;
    }
}
