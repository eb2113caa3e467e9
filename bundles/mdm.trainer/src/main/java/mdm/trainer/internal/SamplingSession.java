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
import mdm.api.MdmException;
import mdm.api.model.CascadeStage;
import mdm.api.model.CascadedBackbone;
import mdm.api.model.LatentBackbone;
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
        Settings {
            checkGuidance(guidance, "guidance");
        }
    }

    /** NaN or an infinite weight makes every pixel NaN: black images and a success message. */
    static void checkGuidance(Double guidance, String where) {
        if (guidance != null && !Double.isFinite(guidance)) {
            throw new MdmException(where + " must be a finite number (1 = no guidance), got " + guidance);
        }
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
        if (backbone instanceof CascadedBackbone cascade) {
            return sampleChain(cascade, conditioner, process, sampler, settings, conditions, channels, seed, listener,
                    manager);
        }
        int n = conditions.size();
        HostRandom noise = new HostRandom(seed);
        if (backbone instanceof LatentBackbone latent) {
            // the sampler works on latents; the images are their decoding
            List<NDArray> z = process.initialNoise(n, latent.latentChannels(), latent.latentSide(), noise, manager);
            Conditioning c = conditioner.encode(conditions, null, false, manager);
            Conditioning u = settings.guidance() != 1.0 ? conditioner.unconditional(n, manager) : null;
            List<NDArray> out = sampler.sample(new SamplingRequest(process.denoiser(backbone), process.levels(),
                    process.settings().prediction(), process.settings().thresholding(), z, c, u,
                    settings.guidance(), settings.steps(), settings.options(), noise, listener));
            return List.of(latent.decode(out.get(0)).clip(-1f, 1f));
        }
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

    /**
     * A cascade: the base samples from noise, then each super-resolution stage samples conditioned
     * on the stage below's images (resized up, corrupted at its fixed augmentation level), each
     * with its own guidance weight. Every stage uses the same (single-level) process and one
     * generator, so a seed fixes the whole chain.
     *
     * @return every stage's images, highest resolution first
     */
    private static List<NDArray> sampleChain(CascadedBackbone cascade, Conditioner conditioner,
                                             MultiResolutionProcess process, Sampler sampler, Settings settings,
                                             List<Sample> conditions, int channels, long seed, SamplingListener listener,
                                             NDManager manager) {
        int n = conditions.size();
        HostRandom noise = new HostRandom(seed);
        Conditioning cond = conditioner.encode(conditions, null, false, manager);
        Conditioning uncond = null;
        List<NDArray> out = new ArrayList<>();
        NDArray below = null;
        for (CascadeStage stage : cascade.chain()) {
            double guidance = Double.isNaN(stage.guidance()) ? settings.guidance() : stage.guidance();
            if (guidance != 1.0 && uncond == null) {
                uncond = conditioner.unconditional(n, manager);
            }
            Conditioning c = cond;
            Conditioning u = guidance != 1.0 ? uncond : null;
            if (!stage.isBase()) {
                NDArray image = stage.conditioningImage(below, noise);
                c = stage.condition(cond, image);
                u = u == null ? null : stage.condition(u, image);
            }
            List<NDArray> initial = process.initialNoise(n, channels, stage.side(), noise, manager);
            List<NDArray> x = sampler.sample(new SamplingRequest(process.denoiser(stage.network()), process.levels(),
                    process.settings().prediction(), process.settings().thresholding(), initial, c, u,
                    guidance, settings.steps(), settings.options(), noise, listener));
            below = stage.image(x.get(0), below).clip(-1f, 1f);
            out.add(0, below);
        }
        return out;
    }
}
