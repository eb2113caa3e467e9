package mdm.schedules;

import com.fasterxml.jackson.annotation.JsonProperty;
import mdm.api.Options;
import mdm.api.Components;
import mdm.api.MdmException;
import mdm.api.diffusion.NoiseSchedule;
import mdm.core.config.Json;
import org.osgi.service.component.annotations.Component;

/**
 * ml-mdm's DDPM schedule (Ho et al. 2020): β linear from {@code beta_start} to {@code beta_end}
 * over the N steps, β_0 = 0 prepended, γ_i = ∏_{j≤i}(1 − β_j).
 */
@Component(service = NoiseSchedule.class,
        property = {Components.NAME + "=ddpm", Components.KIND + "=" + Components.SCHEDULE})
public final class LinearSchedule implements NoiseSchedule {
    /** Settings; the defaults are ml-mdm's SamplerConfig defaults. */
    record Settings(@JsonProperty("beta_start") Double betaStart, @JsonProperty("beta_end") Double betaEnd) {
        double start() {
            return betaStart == null ? 1e-4 : betaStart;
        }

        double end() {
            return betaEnd == null ? 0.02 : betaEnd;
        }
    }

    @Override
    public double[] gammas(int steps, Options options) {
        Discrete.checkSteps("ddpm", steps);
        Settings o = Json.bind(options, Settings.class, "ddpm schedule options");
        if (!(o.start() >= 0 && o.start() <= o.end() && o.end() < 1)) {
            throw new MdmException("ddpm schedule: need 0 <= beta_start <= beta_end < 1, got beta_start="
                    + o.start() + ", beta_end=" + o.end());
        }
        return Discrete.gammasFromBetas(Discrete.linspace(o.start(), o.end(), steps));
    }
}
