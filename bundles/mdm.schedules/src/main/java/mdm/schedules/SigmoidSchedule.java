package mdm.schedules;

import com.fasterxml.jackson.annotation.JsonProperty;
import mdm.api.Options;
import mdm.api.Components;
import mdm.api.MdmException;
import mdm.api.diffusion.NoiseSchedule;
import mdm.core.config.Json;
import org.osgi.service.component.annotations.Component;

/**
 * The sigmoid schedule of Chen 2023, "On the Importance of Noise Scheduling for Diffusion Models"
 * (arXiv 2301.10972, Algorithm 1), used by Jabri et al. 2023 (RIN). For continuous t ∈ [0, 1]:
 *
 * <pre>
 *   v(u)     = sigmoid(u / τ)
 *   γ(t)     = (v(end) − v(t·(end − start) + start)) / (v(end) − v(start)),  clipped to [clip_min, 1]
 * </pre>
 *
 * so γ(0) = 1 and γ(1) = 0 (→ clip_min). The discrete schedule is γ_i = γ(i/N) for i = 0..N, the
 * same continuous-time reading as the squared-cosine schedule. Defaults are the paper's: start = −3,
 * end = 3, τ = 1, clip_min = 1e−9; larger τ or a smaller start shift the schedule towards noise.
 *
 * <p>ml-mdm lists SIGMOID but never wires it, and its helper is wrong ({@code np.linspace((−6, 6), N)}
 * interpolates two columns and returns β-like values), so nothing of it is reproduced here.
 */
@Component(service = NoiseSchedule.class,
        property = {Components.NAME + "=sigmoid", Components.KIND + "=" + Components.SCHEDULE})
public final class SigmoidSchedule implements NoiseSchedule {
    /** Settings; null fields take the paper's defaults. */
    record Settings(Double start, Double end, Double tau, @JsonProperty("clip_min") Double clipMin) {
        double s() {
            return start == null ? -3.0 : start;
        }

        double e() {
            return end == null ? 3.0 : end;
        }

        double t() {
            return tau == null ? 1.0 : tau;
        }

        double floor() {
            return clipMin == null ? 1e-9 : clipMin;
        }
    }

    @Override
    public double[] gammas(int steps, Options options) {
        Discrete.checkSteps("sigmoid", steps);
        Settings o = Json.bind(options, Settings.class, "sigmoid schedule options");
        if (!(o.s() < o.e()) || !(o.t() > 0) || !(o.floor() > 0 && o.floor() < 1)) {
            throw new MdmException("sigmoid schedule: need start < end, tau > 0 and 0 < clip_min < 1, got start="
                    + o.s() + ", end=" + o.e() + ", tau=" + o.t() + ", clip_min=" + o.floor());
        }
        double vStart = sigmoid(o.s() / o.t());
        double vEnd = sigmoid(o.e() / o.t());
        double[] gammas = new double[steps + 1];
        for (int i = 0; i <= steps; i++) {
            double t = (double) i / steps;
            double v = sigmoid((t * (o.e() - o.s()) + o.s()) / o.t());
            double g = (vEnd - v) / (vEnd - vStart);
            gammas[i] = Math.min(1.0, Math.max(o.floor(), g));
        }
        return gammas;
    }

    private static double sigmoid(double x) {
        return 1 / (1 + StrictMath.exp(-x));
    }
}
