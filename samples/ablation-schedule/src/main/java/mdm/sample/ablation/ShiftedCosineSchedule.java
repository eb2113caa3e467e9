package mdm.sample.ablation;

import mdm.api.Options;
import mdm.api.diffusion.NoiseSchedule;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Simple diffusion's shifted cosine schedule (Hoogeboom et al. 2023): logSNR(t) = −2·ln tan(πt/2)
 * − 2·ln(shift), clipped to ±{@code logsnr_limit}; γ = sigmoid(logSNR). Its feature registers it as
 * {@code cosine} with a higher service ranking, so the same experiment spec runs with it while the
 * feature is installed and with the built-in cosine once it is removed: an ablation without a restart.
 */
@Component(service = NoiseSchedule.class, configurationPid = ShiftedCosineSchedule.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE,
        property = {"mdm.kind=schedule", "mdm.name=cosine"})
@Designate(ocd = ShiftedCosineSchedule.Config.class)
public class ShiftedCosineSchedule implements NoiseSchedule {
    public static final String PID = "mdm.sample.ablation";

    @ObjectClassDefinition(name = "shifted cosine schedule")
    public @interface Config {
        @AttributeDefinition(description = "resolution shift s: SNR divided by s²")
        double shift() default 4.0;

        @AttributeDefinition(description = "log-SNR is clipped to ± this")
        double logsnr_limit() default 15.0;
    }

    private final double shift;
    private final double limit;

    @Activate
    public ShiftedCosineSchedule(Config config) {
        if (!(config.shift() > 0) || !(config.logsnr_limit() > 0)) {
            throw new IllegalArgumentException("shift and logsnr_limit must be positive");
        }
        this.shift = config.shift();
        this.limit = config.logsnr_limit();
    }

    @Override
    public double[] gammas(int steps, Options options) {
        if (steps < 1) {
            throw new IllegalArgumentException("steps must be at least 1");
        }
        double[] gammas = new double[steps + 1];
        gammas[0] = 1.0;
        for (int i = 1; i <= steps; i++) {
            double t = (double) i / steps;
            double logSnr = -2 * Math.log(Math.tan(Math.PI * t / 2)) - 2 * Math.log(shift);
            logSnr = Math.max(-limit, Math.min(limit, logSnr));
            gammas[i] = 1 / (1 + Math.exp(-logSnr));
        }
        return gammas;
    }
}
