package mdm.api.diffusion;

import ai.djl.ndarray.NDArray;
import mdm.api.Options;
import java.util.List;
import mdm.api.model.Conditioning;

/**
 * Everything a sampler needs to draw images of all levels jointly.
 *
 * @param model          the denoiser
 * @param levels         per-level schedules, highest resolution first
 * @param prediction     what the model outputs
 * @param thresholding   how x0 is kept in range
 * @param initial        x_T per level, highest first
 * @param conditional    conditioning of the batch
 * @param unconditional  the unconditional input for guidance, or null for none
 * @param guidance       classifier-free guidance weight w (1 = none)
 * @param steps          number of inference steps; N walks every γ-index, fewer resample the grid
 * @param options        sampler-specific settings (e.g. DDIM's {@code eta}); never null
 * @param noise          source of fresh noise for stochastic steps
 * @param listener       per-step callback, or null
 */
public record SamplingRequest(
        Denoiser model,
        List<LevelSchedule> levels,
        PredictionType prediction,
        Thresholding thresholding,
        List<NDArray> initial,
        Conditioning conditional,
        Conditioning unconditional,
        double guidance,
        int steps,
        Options options,
        NoiseSource noise,
        SamplingListener listener) {
    public SamplingRequest {
        options = options == null ? Options.empty() : options;
    }
}
