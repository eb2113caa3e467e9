package mdm.samplers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import mdm.api.Components;
import mdm.api.DjlRuntime;
import mdm.api.diffusion.Sampler;
import mdm.api.diffusion.SamplingRequest;
import mdm.core.tensor.Scalars;
import mdm.diffusion.SamplingLoop;
import mdm.diffusion.StepRule;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Ancestral DDPM sampling (ml-mdm with {@code ddim_eta = None}, §4.2): x_s is the mean of the
 * posterior q(x_s | x_t, x0) plus √β̃·z, with α = γ_t/γ_s, β = 1 − α, β̃ = β(1−γ_s)/(1−γ_t):
 * mean = x0·β·√γ_s/(1−γ_t) + x_t·√α·(1−γ_s)/(1−γ_t). No noise is drawn for the step to s = 0,
 * where β̃ = 0. Options: {@code timestep_spacing} (reference | trailing).
 */
@Component(service = Sampler.class,
        property = {Components.NAME + "=ddpm", Components.KIND + "=" + Components.SAMPLER})
public final class AncestralSampler implements Sampler {
    @Reference
    private DjlRuntime runtime; // samplers use tensors: bind after the engine has started

    record Options(@JsonProperty("timestep_spacing") String timestepSpacing) {
    }

    @Override
    public List<NDArray> sample(SamplingRequest request) {
        Options o = SamplerOptions.bind(request, Options.class, "ddpm");
        return SamplingLoop.run(request, SamplerOptions.grid(request, o.timestepSpacing()), AncestralSampler::step);
    }

    static NDArray step(StepRule.LevelStep in) {
        float g = in.gammaT();
        float gs = in.gammaS();
        float alpha = g / gs;
        float beta = 1f - alpha;
        float betaTilde = beta * (1f - gs) / (1f - g);
        NDManager m = in.xt().getManager();
        NDArray oneMinusG = Scalars.of(m, 1f - g);
        NDArray mean = in.x0().mul(Scalars.of(m, beta)).mul(Scalars.of(m, sqrt(gs))).div(oneMinusG)
                .add(in.xt().mul(Scalars.of(m, sqrt(alpha))).mul(Scalars.of(m, 1f - gs)).div(oneMinusG));
        if (in.s() == 0) {
            return mean;
        }
        return mean.add(in.noise().get().mul(Scalars.of(m, sqrt(betaTilde))));
    }

    static float sqrt(float x) {
        return (float) Math.sqrt(x);
    }
}
