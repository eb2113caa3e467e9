package mdm.diffusion;

/**
 * Arithmetic on γ tables (γ = ᾱ, the signal variance fraction) done the way the reference does it:
 * ml-mdm keeps γ as a float32 buffer and derives shifted schedules and VDM weights from it with
 * float32 tensor arithmetic. Doing the same here (Java float, same operation order) reproduces its
 * tables bit for bit; near γ = 1 a one-ulp difference would otherwise move log-SNR by 1e-3.
 */
public final class Gammas {
    private Gammas() {
    }

    /** γ rounded to float32, as the reference's {@code register_buffer(torch.tensor(γ).float())}. */
    public static double[] buffer(double[] gammas) {
        double[] out = new double[gammas.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) gammas[i];
        }
        return out;
    }

    /**
     * The resolution shift of simple diffusion (ml-mdm {@code get_schedule_shifted}): for scale s > 1,
     * SNR' = SNR / s^p, γ' = 1 / (1 + 1/SNR'), i.e. logSNR' = logSNR − p·ln s. A scale ≤ 1 leaves γ as is.
     */
    public static double[] shift(double[] gammas, double scale, double power) {
        double[] out = gammas.clone();
        if (!(scale > 1)) {
            return out;
        }
        float factor = (float) Math.pow(scale, power);
        for (int i = 0; i < out.length; i++) {
            float g = (float) gammas[i];
            float snr = g / (1f - g);
            float scaled = snr / factor;
            out[i] = 1f / (1f + 1f / scaled);
        }
        return out;
    }

    /**
     * The discrete VDM ELBO weights for an ε-loss: w_k = SNR(k−1)/SNR(k) − 1 for k ≥ 2, and w_0 = w_1
     * = w_2 (ml-mdm {@code vdm_loss_weights}); the example trained at step t gets w[t+1].
     */
    public static float[] vdmWeights(double[] gammas) {
        int n = gammas.length;
        if (n < 3) {
            throw new IllegalArgumentException("VDM weights need at least 2 diffusion steps");
        }
        float[] w = new float[n];
        for (int k = 2; k < n; k++) {
            float g = (float) gammas[k];
            float last = (float) gammas[k - 1];
            w[k] = last * (1f - g) / (1f - last) / g - 1f;
        }
        w[0] = w[2];
        w[1] = w[2];
        return w;
    }

    /** log(γ / (1 − γ)) in double; +∞ at γ = 1. */
    public static double logSnr(double gamma) {
        return Math.log(gamma / (1 - gamma));
    }
}
