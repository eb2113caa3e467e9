package mdm.trainer.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import mdm.api.Options;
import java.util.ArrayList;
import java.util.List;
import mdm.api.conditioning.Conditioner;
import mdm.api.data.Sample;
import mdm.api.diffusion.Sampler;
import mdm.api.diffusion.SamplingListener;
import mdm.api.diffusion.SamplingRequest;
import mdm.api.model.Backbone;
import mdm.api.model.Conditioning;
import mdm.core.random.HostRandom;
import mdm.diffusion.MultiResolutionProcess;
import mdm.core.config.Json;

/**
 * Draws images of every level jointly from a built model: the conditioner encodes the conditions
 * (and the unconditional input when guidance is on), the sampler runs the reverse process, and the
 * result is clipped to [-1, 1]. Shared by sample grids during training and by the generator.
 */
final class SamplingSession {
    record Settings(int steps, double guidance, Options options) {
    }

    private SamplingSession() {
    }

    /**
     * @param channels image channels (3)
     * @param side     side of the highest level
     * @return images per level, highest first, (n, C, side_l, side_l), in {@code manager}
     */
    static List<NDArray> sample(Backbone backbone, Conditioner conditioner, MultiResolutionProcess process,
                                Sampler sampler, Settings settings, List<Sample> conditions, int channels, int side,
                                long seed, SamplingListener listener, NDManager manager) {
        int n = conditions.size();
        HostRandom noise = new HostRandom(seed);
        List<NDArray> initial = process.initialNoise(n, channels, side, noise, manager);
        Conditioning cond = conditioner.encode(conditions, null, false, manager);
        Conditioning uncond = settings.guidance() != 1.0 ? conditioner.unconditional(n, manager) : null;
        List<NDArray> out = sampler.sample(new SamplingRequest(process.denoiser(backbone), process.levels(),
                process.settings().prediction(), process.settings().thresholding(), initial, cond, uncond,
                settings.guidance(), settings.steps(), settings.options(), noise, listener));
        List<NDArray> clipped = new ArrayList<>();
        for (NDArray x : out) {
            clipped.add(x.clip(-1f, 1f));
        }
        return clipped;
    }
}
