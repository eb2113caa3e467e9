package mdm.samplers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * DPM-Solver++(2M) (Lu et al. 2022, "DPM-Solver++: Fast Solver for Guided Sampling of Diffusion
 * Probabilistic Models", Algorithm 2), a deterministic second-order multistep solver of the
 * probability-flow ODE in x0 form; ml-mdm has no such sampler. With α = √γ, σ = √(1−γ),
 * λ = ln(α/σ) and h_i = λ_s − λ_t for the step t → s:
 *
 * <pre>
 *   D_i = x0_i                                              (first step of a level)
 *   D_i = (1 + 1/(2r_i))·x0_i − 1/(2r_i)·x0_{i−1},  r_i = h_{i−1}/h_i   (later steps)
 *   x_s = (σ_s/σ_t)·x_t − α_s·(e^{−h_i} − 1)·D_i
 * </pre>
 *
 * The last step, to γ = 1 (σ = 0, h = ∞), is first order: x_s = x0 (lower-order final step). x0 is
 * thresholded like every sampler's and each level uses its own (shifted) γ, so each level has its
 * own λ-steps. Options: {@code timestep_spacing} (reference | trailing).
 */
@Component(service = Sampler.class,
        property = {Components.NAME + "=dpm-solver++", Components.KIND + "=" + Components.SAMPLER})
public final class DpmSolverSampler implements Sampler {
    @Reference
    private DjlRuntime runtime; // samplers use tensors: bind after the engine has started

    record Options(@JsonProperty("timestep_spacing") String timestepSpacing) {
    }

    @Override
    public List<NDArray> sample(SamplingRequest request) {
        Options o = SamplerOptions.bind(request, Options.class, "dpm-solver++");
        return SamplingLoop.run(request, SamplerOptions.grid(request, o.timestepSpacing()), new Multistep());
    }

    /** The solver state of one run: the previous x0 and step length per level. */
    static final class Multistep implements StepRule {
        private final Map<Integer, NDArray> previousX0 = new HashMap<>();
        private final Map<Integer, Double> previousH = new HashMap<>();

        @Override
        public NDArray step(LevelStep in) {
            if (in.gammaS() >= 1f) {
                forget(in.level());
                return in.x0();
            }
            double lambdaT = lambda(in.gammaT());
            double lambdaS = lambda(in.gammaS());
            double h = lambdaS - lambdaT;
            NDManager m = in.xt().getManager();
            NDArray d = in.x0();
            NDArray last = previousX0.get(in.level());
            if (last != null) {
                // (1 + c)·x0 − c·x0_prev written with x0 on the left, so results stay in the step's manager
                double r = previousH.get(in.level()) / h;
                double c = 1 / (2 * r);
                d = in.x0().add(in.x0().sub(last).mul(Scalars.of(m, c)));
            }
            double sigmaRatio = Math.sqrt((1.0 - in.gammaS()) / (1.0 - in.gammaT()));
            double alphaS = Math.sqrt(in.gammaS());
            NDArray xs = Scalars.mul(in.xt(), sigmaRatio).sub(Scalars.mul(d, alphaS * Math.expm1(-h)));
            forget(in.level());
            NDArray keep = in.x0().duplicate();
            keep.attach(in.run());
            previousX0.put(in.level(), keep);
            previousH.put(in.level(), h);
            return xs;
        }

        private void forget(int level) {
            NDArray old = previousX0.remove(level);
            if (old != null) {
                old.close();
            }
        }

        private static double lambda(double gamma) {
            return 0.5 * Math.log(gamma / (1 - gamma));
        }
    }
}
