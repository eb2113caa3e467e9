package mdm.schedules;

import com.fasterxml.jackson.annotation.JsonProperty;
import mdm.api.Options;
import mdm.api.Components;
import mdm.api.MdmException;
import mdm.api.diffusion.NoiseSchedule;
import mdm.core.config.Json;
import org.osgi.service.component.annotations.Component;

/**
 * ml-mdm's COSINE schedule (from the progressive-distillation paper): log-SNR interpolated in
 * arctan space from {@code logsnr_max} at γ-index 1 down to {@code logsnr_min} at index N:
 * with t_i = linspace(0, 1, N), b = atan(e^{−max/2}), a = atan(e^{−min/2}) − b,
 * logSNR_i = −2·ln tan(a·t_i + b), γ_i = sigmoid(logSNR_i), and γ_0 = 1 prepended.
 */
@Component(service = NoiseSchedule.class,
        property = {Components.NAME + "=cosine", Components.KIND + "=" + Components.SCHEDULE})
public final class CosineSchedule implements NoiseSchedule {
    /** Settings; both default to the reference's ±5. */
    record Settings(@JsonProperty("logsnr_min") Double logSnrMin, @JsonProperty("logsnr_max") Double logSnrMax) {
        double min() {
            return logSnrMin == null ? -5.0 : logSnrMin;
        }

        double max() {
            return logSnrMax == null ? 5.0 : logSnrMax;
        }
    }

    @Override
    public double[] gammas(int steps, Options options) {
        Discrete.checkSteps("cosine", steps);
        Settings o = Json.bind(options, Settings.class, "cosine schedule options");
        if (!(o.min() < o.max())) {
            throw new MdmException("cosine schedule: logsnr_min (" + o.min() + ") must be below logsnr_max ("
                    + o.max() + ")");
        }
        double[] t = Discrete.linspace(0.0, 1.0, steps);
        double b = StrictMath.atan(StrictMath.exp(-0.5 * o.max()));
        double a = StrictMath.atan(StrictMath.exp(-0.5 * o.min())) - b;
        double[] gammas = new double[steps + 1];
        gammas[0] = 1.0;
        for (int i = 0; i < steps; i++) {
            double logSnr = -2.0 * StrictMath.log(StrictMath.tan(a * t[i] + b));
            gammas[i + 1] = 1 / (1 + StrictMath.exp(-logSnr));
        }
        return gammas;
    }
}
