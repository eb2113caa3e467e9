package mdm.sample.edm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import mdm.api.diffusion.Denoiser;
import mdm.api.diffusion.LevelSchedule;
import mdm.api.diffusion.PredictionType;
import mdm.api.model.Conditioning;
import mdm.core.random.HostRandom;
import mdm.core.tensor.Scalars;
import mdm.diffusion.NoiseLevel;
import mdm.diffusion.Predictions;

/**
 * Data whose every level is x0 ~ N(μ_l, s²I) per pixel, so the denoiser and the probability-flow ODE
 * are known in closed form (as in mdm.samplers' DPM-Solver++ test). With α = √γ, σ² = 1 − γ: the
 * posterior mean is E[x0 | x_t] = μ + α s²/(α² s² + σ²)·(x_t − αμ), and the flow from x_T at γ_T ends at
 * x0* = μ + s·(x_T − α_T μ)/√(α_T² s² + σ_T²). The denoiser answers in any prediction type, each level
 * with its own γ at the shared time index.
 */
final class GaussianLevels {
    final List<LevelSchedule> levels;
    final double spread;
    final List<NDArray> means = new ArrayList<>();

    GaussianLevels(List<LevelSchedule> levels, double spread, List<Shape> images, NDManager manager, long seed) {
        this.levels = levels;
        this.spread = spread;
        HostRandom random = new HostRandom(seed);
        for (Shape image : images) {
            means.add(manager.create(random.uniform(Math.toIntExact(image.size()), -0.5, 0.5), image));
        }
    }

    Denoiser denoiser(PredictionType type) {
        return (List<NDArray> noisy, NDArray times, Conditioning c) -> {
            int t = (int) times.getLong(0) + 1;
            List<NDArray> out = new ArrayList<>();
            for (int l = 0; l < noisy.size(); l++) {
                double gamma = levels.get(l).gammas()[t];
                double a = Math.sqrt(gamma);
                double k = a * spread * spread / (a * a * spread * spread + (1 - gamma));
                NDArray x = noisy.get(l);
                NDArray x0 = Scalars.mul(x, k).add(Scalars.mul(means.get(l), 1 - k * a));
                out.add(Predictions.fromX0(type, x, x0, NoiseLevel.uniform((float) gamma, x.getManager())));
            }
            return out;
        };
    }

    /** The exact ODE solution of level {@code l} for x_T given at γ-index {@code index}. */
    float[] exact(int l, NDArray xT, int index) {
        double gamma = levels.get(l).gammas()[index];
        double a = Math.sqrt(gamma);
        double norm = Math.sqrt(a * a * spread * spread + 1 - gamma);
        return Scalars.mul(xT.sub(Scalars.mul(means.get(l), a)), spread / norm).add(means.get(l)).toFloatArray();
    }

    static double maxDiff(float[] a, float[] b) {
        double worst = 0;
        for (int i = 0; i < a.length; i++) {
            worst = Math.max(worst, Math.abs(a[i] - b[i]));
        }
        return worst;
    }
}
