package mdm.samplers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import mdm.api.Components;
import mdm.api.DjlRuntime;
import mdm.api.MdmException;
import mdm.api.diffusion.Sampler;
import mdm.api.diffusion.SamplingRequest;
import mdm.core.tensor.Scalars;
import mdm.diffusion.SamplingLoop;
import mdm.diffusion.StepRule;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * DDIM (Song et al. 2021) as ml-mdm writes it (§4.2): ε̂ = (x_t − √γ_t·x0)/√(1−γ_t); with η = 0
 * x_s = √γ_s·x0 + √(1−γ_s)·ε̂ (deterministic); with η > 0, β̃ ← η²·β(1−γ_s)/(1−γ_t) and
 * x_s = √γ_s·x0 + √(1−γ_s−β̃)·ε̂ + √β̃·z (η = 1 matches ancestral sampling in distribution).
 * Options: {@code eta} (default 0), {@code timestep_spacing} (reference | trailing).
 */
@Component(service = Sampler.class,
        property = {Components.NAME + "=ddim", Components.KIND + "=" + Components.SAMPLER})
public final class DdimSampler implements Sampler {
    @Reference
    private DjlRuntime runtime; // samplers use tensors: bind after the engine has started

    record Options(Double eta, @JsonProperty("timestep_spacing") String timestepSpacing) {
    }

    @Override
    public List<NDArray> sample(SamplingRequest request) {
        Options o = SamplerOptions.bind(request, Options.class, "ddim");
        double eta = o.eta() == null ? 0.0 : o.eta();
        if (!(eta >= 0)) {
            throw new MdmException("ddim sampler option eta must be >= 0 (0 = deterministic, 1 = ancestral), got " + eta);
        }
        return SamplingLoop.run(request, SamplerOptions.grid(request, o.timestepSpacing()), in -> step(in, eta));
    }

    static NDArray step(StepRule.LevelStep in, double eta) {
        float g = in.gammaT();
        float gs = in.gammaS();
        NDManager m = in.xt().getManager();
        NDArray sqrtGs = Scalars.of(m, AncestralSampler.sqrt(gs));
        NDArray eps = in.xt().sub(in.x0().mul(Scalars.of(m, AncestralSampler.sqrt(g))))
                .div(Scalars.of(m, AncestralSampler.sqrt(1f - g)));
        if (eta == 0) {
            return in.x0().mul(sqrtGs).add(eps.mul(Scalars.of(m, AncestralSampler.sqrt(1f - gs))));
        }
        float alpha = g / gs;
        float beta = 1f - alpha;
        float betaTilde = (float) (eta * eta) * (beta * (1f - gs) / (1f - g));
        NDArray xs = in.x0().mul(sqrtGs).add(eps.mul(Scalars.of(m, AncestralSampler.sqrt(1f - gs - betaTilde))));
        if (in.s() == 0) {
            return xs;
        }
        return xs.add(in.noise().get().mul(Scalars.of(m, AncestralSampler.sqrt(betaTilde))));
    }
}
