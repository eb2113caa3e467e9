package mdm.samplers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import mdm.api.diffusion.Denoiser;
import mdm.api.model.Conditioning;
import mdm.core.random.HostRandom;
import mdm.core.tensor.Scalars;

/**
 * Data x0 ~ N(μ, s²I) per pixel, for which everything is known in closed form. With α = √γ and
 * σ² = 1 − γ, the exact denoiser is the posterior mean E[x0 | x_t] = μ + α s²/(α² s² + σ²)·(x_t − αμ),
 * and the probability-flow ODE maps x_T at γ_T to x0* = μ + s·(x_T − α_T μ)/√(α_T² s² + σ_T²)
 * (the flow keeps the standardised value fixed).
 */
final class GaussianData {
    final double[] gammas;
    final double spread;
    final NDArray mean;

    GaussianData(double[] gammas, double spread, Shape image, NDManager manager, long seed) {
        this.gammas = gammas;
        this.spread = spread;
        this.mean = manager.create(new HostRandom(seed).uniform(Math.toIntExact(image.size()), -0.5, 0.5), image);
    }

    /** The exact x0 predictor (prediction type x0); the model is called with t − 1. */
    Denoiser denoiser() {
        return (List<NDArray> noisy, NDArray times, Conditioning c) -> {
            int t = (int) times.getLong(0) + 1;
            double a = Math.sqrt(gammas[t]);
            double k = a * spread * spread / (a * a * spread * spread + (1 - gammas[t]));
            NDArray x = noisy.get(0);
            return List.of(Scalars.mul(x, k).add(Scalars.mul(mean, 1 - k * a)));
        };
    }

    /** The exact ODE solution for x_T given at γ-index T. */
    float[] exact(NDArray xT, int index) {
        double a = Math.sqrt(gammas[index]);
        double norm = Math.sqrt(a * a * spread * spread + 1 - gammas[index]);
        return Scalars.mul(Scalars.mul(xT.sub(Scalars.mul(mean, a)), spread / norm).add(mean), 1).toFloatArray();
    }

    static double maxDiff(float[] a, float[] b) {
        double worst = 0;
        for (int i = 0; i < a.length; i++) {
            worst = Math.max(worst, Math.abs(a[i] - b[i]));
        }
        return worst;
    }
}
