package mdm.sample.edm;

import mdm.api.Options;

/**
 * Options of {@code edm-heun}, bound from the spec's sampler options (Karras et al. 2022, Table 1 and
 * Algorithm 2).
 *
 * @param rho      ρ of the σ schedule; default 7 (the paper's)
 * @param sigmaMin σ_min; default the paper's 0.002, or the model's smallest σ on the highest level if larger
 * @param sigmaMax σ_max; default the paper's 80, or the model's largest finite σ on the highest level if smaller.
 *                 Sampling starts from the request's x_T as the noisy image at σ_max's time index
 * @param sChurn   S_churn; 0 (default) is the deterministic sampler
 * @param sTmin    churn only where σ ≥ S_tmin; default 0
 * @param sTmax    churn only where σ ≤ S_tmax; default ∞
 * @param sNoise   S_noise, the scale of the churn noise; default 1
 */
public record EdmOptions(Double rho, Double sigmaMin, Double sigmaMax, @Options.Key("s_churn") Double sChurn,
                         @Options.Key("s_tmin") Double sTmin, @Options.Key("s_tmax") Double sTmax,
                         @Options.Key("s_noise") Double sNoise) {
    public EdmOptions {
        rho = rho == null ? 7.0 : rho;
        sChurn = sChurn == null ? 0.0 : sChurn;
        sTmin = sTmin == null ? 0.0 : sTmin;
        sTmax = sTmax == null ? Double.POSITIVE_INFINITY : sTmax;
        sNoise = sNoise == null ? 1.0 : sNoise;
        if (!(rho > 0)) {
            throw new IllegalArgumentException("rho must be positive (the paper uses 7), got " + rho);
        }
        if (!(sChurn >= 0)) {
            throw new IllegalArgumentException("s_churn must be >= 0 (0 = deterministic), got " + sChurn);
        }
        if (!(sNoise > 0)) {
            throw new IllegalArgumentException("s_noise must be positive (1 = unit noise), got " + sNoise);
        }
        if (!(sTmin >= 0) || !(sTmax >= sTmin)) {
            throw new IllegalArgumentException("need 0 <= s_tmin <= s_tmax, got s_tmin=" + sTmin + ", s_tmax=" + sTmax);
        }
        if (sigmaMin != null && !(sigmaMin > 0)) {
            throw new IllegalArgumentException("sigma_min must be positive, got " + sigmaMin);
        }
        if (sigmaMax != null && sigmaMin != null && !(sigmaMax > sigmaMin)) {
            throw new IllegalArgumentException("sigma_max must be above sigma_min, got sigma_min=" + sigmaMin
                    + ", sigma_max=" + sigmaMax);
        }
    }
}
