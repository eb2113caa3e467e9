package mdm.sample.edm;

import java.util.ArrayList;
import java.util.List;
import mdm.api.MdmException;

/**
 * Karras's σ schedule laid over a discrete-time model: the time indices (highest first, ending at 0)
 * whose σ_t = √((1−γ_t)/γ_t) are nearest, in log σ, to σ_i = (σ_max^{1/ρ} + i/(n−1)·(σ_min^{1/ρ} −
 * σ_max^{1/ρ}))^ρ, i = 0..n−1, followed by σ = 0 (index 0).
 *
 * @param gammas  γ of the level the schedule is laid over (index 0 = clean)
 * @param indices time indices to visit, strictly decreasing, ending at 0
 */
record KarrasGrid(double[] gammas, int[] indices) {
    static final double PAPER_SIGMA_MIN = 0.002;
    static final double PAPER_SIGMA_MAX = 80;

    /** σ of a γ (∞ for γ = 0). */
    static double sigma(double gamma) {
        return gamma <= 0 ? Double.POSITIVE_INFINITY : Math.sqrt((1 - gamma) / gamma);
    }

    static KarrasGrid of(double[] gammas, int steps, EdmOptions o) {
        int n = gammas.length - 1;
        if (n < 1) {
            throw new MdmException("edm-heun needs a schedule of at least one diffusion step");
        }
        int top = n;
        while (top > 1 && !Double.isFinite(sigma(gammas[top]))) {
            top--; // γ = 0 at the end (σ = ∞): start from the last finite σ, as from pure noise
        }
        double modelMin = sigma(gammas[1]);
        double modelMax = sigma(gammas[top]);
        // the paper's range (σ 0.002 to 80, for data of spread 0.5) where the model covers it: a VP model's
        // largest σ is far beyond (DeepFloyd: 2·10⁴) and would spend the first steps where nothing happens
        double min = o.sigmaMin() != null ? o.sigmaMin() : Math.max(PAPER_SIGMA_MIN, modelMin);
        double max = o.sigmaMax() != null ? o.sigmaMax() : Math.min(PAPER_SIGMA_MAX, modelMax);
        if (!(max > min)) {
            throw new MdmException("edm-heun: sigma_max " + max + " must be above sigma_min " + min
                    + " (the model covers σ from " + modelMin + " to " + modelMax + ")");
        }
        List<Integer> picked = new ArrayList<>();
        double a = Math.pow(max, 1 / o.rho());
        double b = Math.pow(min, 1 / o.rho());
        for (int i = 0; i < steps; i++) {
            double sigma = steps == 1 ? max : Math.pow(a + (double) i / (steps - 1) * (b - a), o.rho());
            int t = nearest(gammas, top, sigma);
            if (picked.isEmpty() || picked.get(picked.size() - 1) > t) {
                picked.add(t);
            }
        }
        picked.add(0);
        int[] indices = picked.stream().mapToInt(Integer::intValue).toArray();
        return new KarrasGrid(gammas, indices);
    }

    /** The index in 1..top whose σ is nearest to {@code sigma} in log σ. */
    static int nearest(double[] gammas, int top, double sigma) {
        double target = Math.log(sigma);
        int best = 1;
        double bestDistance = Double.POSITIVE_INFINITY;
        for (int t = 1; t <= top; t++) {
            double d = Math.abs(Math.log(sigma(gammas[t])) - target);
            if (d < bestDistance) {
                bestDistance = d;
                best = t;
            }
        }
        return best;
    }

    /**
     * Algorithm 2's churn: where S_tmin ≤ σ_t ≤ S_tmax, the index whose σ is nearest to σ_t·(1 + γ_i),
     * γ_i = min(S_churn/n, √2 − 1), never below {@code t}; else {@code t}.
     */
    int churned(int t, int steps, EdmOptions o) {
        if (o.sChurn() <= 0 || t == 0) {
            return t;
        }
        double s = sigma(gammas[t]);
        if (s < o.sTmin() || s > o.sTmax()) {
            return t;
        }
        double g = Math.min(o.sChurn() / steps, Math.sqrt(2) - 1);
        int top = indices[0];
        return Math.max(t, nearest(gammas, Math.max(top, t), s * (1 + g)));
    }
}
