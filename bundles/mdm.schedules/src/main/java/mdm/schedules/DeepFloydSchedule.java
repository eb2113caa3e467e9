package mdm.schedules;

import mdm.api.Options;
import mdm.api.Components;
import mdm.api.diffusion.NoiseSchedule;
import mdm.core.config.Json;
import org.osgi.service.component.annotations.Component;

/**
 * ml-mdm's DEEPFLOYD schedule, the Improved-DDPM "squaredcos_cap_v2" used by every released MDM
 * config: ᾱ(s) = cos²(((s + 0.008)/1.008)·π/2), β_i = min(1 − ᾱ(i/N)/ᾱ((i−1)/N), 0.999),
 * γ = cumprod(1 − β) with γ_0 = 1. The 0.999 cap sets the last step (logSNR ≈ −19.8 at N = 1000).
 */
@Component(service = NoiseSchedule.class,
        property = {Components.NAME + "=deepfloyd", Components.KIND + "=" + Components.SCHEDULE})
public final class DeepFloydSchedule implements NoiseSchedule {
    private static final double MAX_BETA = 0.999;

    /** No options; binding an empty record still rejects misspelt keys with a clear message. */
    record Settings() {
    }

    @Override
    public double[] gammas(int steps, Options options) {
        Discrete.checkSteps("deepfloyd", steps);
        Json.bind(options, Settings.class, "deepfloyd schedule options");
        double[] betas = new double[steps];
        for (int i = 0; i < steps; i++) {
            double t1 = (double) i / steps;
            double t2 = (double) (i + 1) / steps;
            betas[i] = Math.min(1 - alphaBar(t2) / alphaBar(t1), MAX_BETA);
        }
        return Discrete.gammasFromBetas(betas);
    }

    private static double alphaBar(double s) {
        double c = StrictMath.cos((s + 0.008) / 1.008 * Math.PI / 2);
        return c * c;
    }
}
