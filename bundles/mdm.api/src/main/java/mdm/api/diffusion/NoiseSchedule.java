package mdm.api.diffusion;

import mdm.api.Options;
import org.osgi.annotation.versioning.ConsumerType;

/** A noise schedule by name ({@code mdm.kind=schedule}): γ (= ᾱ, signal variance) per step index. */
@ConsumerType
public interface NoiseSchedule {
    /**
     * The schedule for {@code steps} diffusion steps.
     *
     * @param steps   N, the number of diffusion steps
     * @param options schedule-specific settings (e.g. beta_start/beta_end); may be empty, never null
     * @return γ of length N+1 with γ[0] = 1 (clean) decreasing to γ[N]
     */
    double[] gammas(int steps, Options options);
}
