package mdm.sample.edm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import mdm.api.Components;
import mdm.api.DjlRuntime;
import mdm.api.MdmException;
import mdm.api.diffusion.LevelSchedule;
import mdm.api.diffusion.Sampler;
import mdm.api.diffusion.SamplingRequest;
import mdm.api.model.Conditioning;
import mdm.core.tensor.Scalars;
import mdm.diffusion.Guidance;
import mdm.diffusion.NoiseLevel;
import mdm.diffusion.Predictions;
import mdm.diffusion.X0Threshold;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Karras et al. 2022, "Elucidating the Design Space of Diffusion-Based Generative Models" (EDM),
 * Algorithm 2: Heun's second-order method on the probability-flow ODE dx̃/dσ = (x̃ − D(x̃; σ))/σ, on
 * Karras's σ schedule σ_i = (σ_max^{1/ρ} + i/(n−1)·(σ_min^{1/ρ} − σ_max^{1/ρ}))^ρ, σ_n = 0, with the
 * optional stochastic "churn" (S_churn, S_tmin, S_tmax, S_noise).
 *
 * <p>Our models are variance preserving with a discrete time index: x_t = √γ_t·x0 + √(1−γ_t)·ε. Its
 * scaled form x̃ = x_t/√γ_t = x0 + σ·ε with σ_t = √((1−γ_t)/γ_t) is EDM's variance-exploding
 * variable, and D is the model's x0 estimate (from ε, x0 or v, guided and thresholded as by every
 * sampler). The σ schedule is laid over the highest-resolution level's σ_t and each σ_i is taken at
 * the time index whose σ is nearest in log σ (repeats dropped); every level then steps between its
 * own σ at those indices, all levels at once with one model call per evaluation. A step to σ = 0 is
 * Euler (x̃ = D), so n steps cost 2n − 1 model evaluations.
 *
 * <p>Options: {@code rho} (7), {@code sigma_min}/{@code sigma_max} (default the paper's 0.002 and 80,
 * within the model's range on the highest level), {@code s_churn} (0: deterministic), {@code s_tmin} (0), {@code s_tmax} (∞),
 * {@code s_noise} (1).
 */
@Component(service = Sampler.class,
        property = {Components.NAME + "=edm-heun", Components.KIND + "=" + Components.SAMPLER})
public final class EdmHeunSampler implements Sampler {
    @Reference
    private DjlRuntime runtime; // samplers use tensors: bind after the engine has started

    @Override
    public List<NDArray> sample(SamplingRequest request) {
        EdmOptions o = request.options().bind(EdmOptions.class, "edm-heun sampler options");
        check(request);
        KarrasGrid grid = KarrasGrid.of(request.levels().get(0).gammas(), request.steps(), o);
        return new Run(request, grid, o).solve();
    }

    private static void check(SamplingRequest r) {
        if (r.model() == null || r.levels() == null || r.initial() == null || r.noise() == null
                || r.conditional() == null) {
            throw new MdmException("a sampling request needs a model, level schedules, initial noise, a noise source"
                    + " and the conditioning of its batch");
        }
        if (r.levels().isEmpty() || r.levels().size() != r.initial().size()) {
            throw new MdmException("the request has " + r.levels().size() + " level schedules but " + r.initial().size()
                    + " initial arrays: give one x_T per level, highest resolution first");
        }
        if (r.steps() < 1) {
            throw new MdmException("edm-heun needs at least 1 step, got " + r.steps());
        }
        if (r.guidance() != 1.0 && r.unconditional() == null) {
            throw new MdmException("guidance " + r.guidance() + " needs an unconditional input; use guidance 1 to"
                    + " sample without it");
        }
    }

    /** One sampling run: x̃ per level, moved along the grid. */
    private static final class Run {
        private final SamplingRequest request;
        private final KarrasGrid grid;
        private final EdmOptions options;
        private final List<LevelSchedule> levels;
        private final boolean guided;

        Run(SamplingRequest request, KarrasGrid grid, EdmOptions options) {
            this.request = request;
            this.grid = grid;
            this.options = options;
            this.levels = request.levels();
            this.guided = request.guidance() != 1.0;
        }

        List<NDArray> solve() {
            NDManager parent = request.initial().get(0).getManager();
            int[] t = grid.indices();
            int total = t.length - 1;
            List<NDArray> out = new ArrayList<>();
            try (NDManager run = parent.newSubManager()) {
                Conditioning conditioning = request.conditional();
                if (guided) {
                    conditioning = Guidance.batch(request.unconditional(), request.conditional());
                    keep(conditioning, run);
                }
                // x̃ = x_T / √γ at the first index, per level
                List<NDArray> x = new ArrayList<>();
                for (int l = 0; l < levels.size(); l++) {
                    NDArray scaled = Scalars.div(request.initial().get(l), Math.sqrt(gamma(l, t[0])));
                    scaled.attach(run);
                    x.add(scaled);
                }
                for (int i = 0; i < total; i++) {
                    List<NDArray> next;
                    try (NDManager step = run.newSubManager()) {
                        x.forEach(a -> a.tempAttach(step));
                        borrow(conditioning, step);
                        next = step(i, t[i], t[i + 1], total, x, conditioning, step);
                        next.forEach(a -> a.attach(run));
                    }
                    x.forEach(NDArray::close);
                    x = next;
                }
                for (int l = 0; l < levels.size(); l++) {
                    // at index 0 (γ = 1) x̃ is x itself
                    double scale = levels.get(l).signalScale() * Math.sqrt(gamma(l, 0));
                    NDArray result = scale == 1.0 ? x.get(l).duplicate() : Scalars.mul(x.get(l), scale);
                    result.attach(parent);
                    out.add(result);
                }
            }
            return out;
        }

        /** One Heun step (with churn) of every level from index {@code from} to {@code to}. */
        private List<NDArray> step(int i, int from, int to, int total, List<NDArray> x, Conditioning conditioning,
                                   NDManager step) {
            int current = from;
            List<NDArray> xs = x;
            int raised = grid.churned(from, total, options);
            if (raised > from) {
                // churn: add noise to climb from σ(from) to σ(raised), per level
                List<NDArray> noisy = new ArrayList<>();
                for (int l = 0; l < levels.size(); l++) {
                    double s0 = sigma(l, from);
                    double s1 = sigma(l, raised);
                    double amount = Math.sqrt(Math.max(0, s1 * s1 - s0 * s0)) * options.sNoise();
                    NDArray z = request.noise().normal(xs.get(l).getShape(), step);
                    noisy.add(xs.get(l).add(Scalars.mul(z, amount)));
                }
                xs = noisy;
                current = raised;
            }
            List<NDArray> d0 = denoise(xs, current, conditioning, step);
            List<NDArray> euler = new ArrayList<>();
            List<NDArray> slope = new ArrayList<>();
            for (int l = 0; l < levels.size(); l++) {
                double sc = sigma(l, current);
                double sn = sigma(l, to);
                NDArray d = Scalars.div(xs.get(l).sub(d0.get(l)), sc);
                slope.add(d);
                euler.add(xs.get(l).add(Scalars.mul(d, sn - sc)));
            }
            List<NDArray> result = euler;
            if (to > 0) {
                List<NDArray> d1 = denoise(euler, to, conditioning, step);
                result = new ArrayList<>();
                for (int l = 0; l < levels.size(); l++) {
                    double sc = sigma(l, current);
                    double sn = sigma(l, to);
                    NDArray dPrime = Scalars.div(euler.get(l).sub(d1.get(l)), sn);
                    NDArray mean = Scalars.mul(slope.get(l).add(dPrime), 0.5);
                    result.add(xs.get(l).add(Scalars.mul(mean, sn - sc)));
                }
            }
            if (request.listener() != null) {
                List<NDArray> vp = new ArrayList<>();
                for (int l = 0; l < levels.size(); l++) {
                    vp.add(Scalars.mul(result.get(l), Math.sqrt(gamma(l, to))));
                }
                request.listener().onStep(i + 1, total, from, to, vp, d0);
            }
            return result;
        }

        /** D(x̃; σ at index t) for every level: one model call on x_t = √γ_t·x̃ (guided when asked). */
        private List<NDArray> denoise(List<NDArray> scaled, int t, Conditioning conditioning, NDManager step) {
            List<NDArray> xt = new ArrayList<>();
            for (int l = 0; l < levels.size(); l++) {
                xt.add(Scalars.mul(scaled.get(l), Math.sqrt(gamma(l, t))));
            }
            long batch = xt.get(0).getShape().get(0);
            long[] times = new long[(int) (guided ? 2 * batch : batch)];
            Arrays.fill(times, t - 1);
            List<NDArray> raw = request.model().predict(guided ? Guidance.duplicate(xt) : xt, step.create(times),
                    conditioning);
            if (raw.size() != levels.size()) {
                throw new MdmException("the model returned " + raw.size() + " outputs for " + levels.size() + " levels");
            }
            List<NDArray> pred = guided ? Guidance.combine(raw, request.guidance()) : raw;
            List<NDArray> x0 = new ArrayList<>();
            for (int l = 0; l < levels.size(); l++) {
                NDArray estimate = Predictions.toX0(request.prediction(), xt.get(l), pred.get(l),
                        NoiseLevel.uniform((float) gamma(l, t), step));
                x0.add(X0Threshold.apply(estimate, request.thresholding(), levels.get(l).signalScale()));
            }
            return x0;
        }

        private double gamma(int level, int t) {
            return levels.get(level).gammas()[t];
        }

        private double sigma(int level, int t) {
            return KarrasGrid.sigma(gamma(level, t));
        }

        private static void borrow(Conditioning c, NDManager step) {
            if (c.tokens() != null) {
                c.tokens().tempAttach(step);
            }
            if (c.mask() != null) {
                c.mask().tempAttach(step);
            }
            c.micros().values().forEach(a -> a.tempAttach(step));
        }

        private static void keep(Conditioning c, NDManager run) {
            c.tokens().attach(run);
            if (c.mask() != null) {
                c.mask().attach(run);
            }
            c.micros().values().forEach(a -> a.attach(run));
        }
    }
}
