package mdm.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import mdm.api.MdmException;
import mdm.api.diffusion.LevelSchedule;
import mdm.api.diffusion.SamplingRequest;
import mdm.api.model.Conditioning;
import mdm.core.tensor.NativeArrays;
import mdm.core.tensor.Scalars;

/**
 * The joint reverse process over all levels (ml-mdm {@code NestedSampler}, §4.2–4.5), shared by every
 * sampler: for each pair (t, s) of the grid, one model call on all levels at time index t − 1 (with
 * classifier-free guidance, one call on the doubled batch), guidance on each level's raw output,
 * x0 per level with the level's own γ, thresholding with the level's signal scale, then the
 * sampler's {@link StepRule} per level. Levels evolve in parallel; none is overwritten by another.
 *
 * <p>Memory: each step runs in its own sub-manager that borrows x_t and the conditioning, so whatever
 * the model and the rule compute from them is freed with the step; only x_s (and what a rule keeps)
 * survives it. The listener's arrays are valid during the callback only. The result is attached to
 * the manager of the first initial array.
 */
public final class SamplingLoop {
    private SamplingLoop() {
    }

    /**
     * Runs the request over {@code grid} (γ-indices from the first to 0) with {@code rule}; returns
     * each level's final x multiplied by its signal scale, highest first, not clipped.
     */
    public static List<NDArray> run(SamplingRequest request, int[] grid, StepRule rule) {
        List<LevelSchedule> levels = request.levels();
        List<NDArray> initial = request.initial();
        check(request, grid);
        boolean guided = request.guidance() != 1.0;
        Conditioning conditioning = request.conditional();
        NDManager parent = initial.get(0).getManager();
        long batch = initial.get(0).getShape().get(0);
        int total = grid.length - 1;
        List<NDArray> out = new ArrayList<>();
        try (NDManager run = parent.newSubManager()) {
            Conditioning modelConditioning = conditioning;
            if (guided) {
                modelConditioning = Guidance.batch(request.unconditional(), conditioning);
                keep(modelConditioning, run);
            }
            List<NDArray> x = initial;
            for (int i = 0; i < total; i++) {
                int t = grid[i];
                int s = grid[i + 1];
                List<NDArray> next = new ArrayList<>();
                try (NDManager step = run.newSubManager()) {
                    // the model computes on x and on the conditioning: borrowing them into the step makes
                    // every result of the step land (and be freed) there
                    x.forEach(a -> a.tempAttach(step));
                    borrow(modelConditioning, step);
                    long[] times = new long[(int) (guided ? 2 * batch : batch)];
                    Arrays.fill(times, t - 1);
                    List<NDArray> inputs = guided ? Guidance.duplicate(x) : x;
                    List<NDArray> raw = request.model().predict(inputs, NativeArrays.create(step, times), modelConditioning);
                    if (raw.size() != levels.size()) {
                        throw new MdmException("the model returned " + raw.size() + " outputs for " + levels.size() + " levels");
                    }
                    List<NDArray> pred = guided ? Guidance.combine(raw, request.guidance()) : raw;
                    List<NDArray> x0s = new ArrayList<>();
                    for (int l = 0; l < levels.size(); l++) {
                        LevelSchedule level = levels.get(l);
                        float gammaT = (float) level.gammas()[t];
                        float gammaS = (float) level.gammas()[s];
                        NDArray xt = x.get(l);
                        NDArray x0 = Predictions.toX0(request.prediction(), xt, pred.get(l), NoiseLevel.uniform(gammaT, step));
                        x0 = X0Threshold.apply(x0, request.thresholding(), level.signalScale());
                        x0s.add(x0);
                        next.add(rule.step(new StepRule.LevelStep(l, i, t, s, gammaT, gammaS, xt, x0,
                                () -> request.noise().normal(xt.getShape(), step), run)));
                    }
                    if (request.listener() != null) {
                        request.listener().onStep(i + 1, total, t, s, next, x0s);
                    }
                    next.forEach(a -> a.attach(run));
                }
                if (x != initial) {
                    x.forEach(NDArray::close);
                }
                x = next;
            }
            for (int l = 0; l < levels.size(); l++) {
                double scale = levels.get(l).signalScale();
                NDArray result = scale == 1.0 ? x.get(l).duplicate() : Scalars.mul(x.get(l), scale);
                result.attach(parent);
                out.add(result);
            }
        }
        return out;
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

    /** The doubled conditioning is ours: it lives for the run, not in the caller's manager. */
    private static void keep(Conditioning c, NDManager run) {
        c.tokens().attach(run);
        if (c.mask() != null) {
            c.mask().attach(run);
        }
        c.micros().values().forEach(a -> a.attach(run));
    }

    private static void check(SamplingRequest r, int[] grid) {
        if (r.model() == null || r.levels() == null || r.initial() == null || r.noise() == null) {
            throw new MdmException("a sampling request needs a model, level schedules, initial noise and a noise source");
        }
        if (r.levels().isEmpty() || r.levels().size() != r.initial().size()) {
            throw new MdmException("the request has " + r.levels().size() + " level schedules but " + r.initial().size()
                    + " initial arrays: give one x_T per level, highest resolution first");
        }
        int n = r.levels().get(0).steps();
        for (LevelSchedule level : r.levels()) {
            if (level.steps() != n) {
                throw new MdmException("every level must use the same number of diffusion steps");
            }
        }
        if (grid.length < 2 || grid[grid.length - 1] != 0 || grid[0] > n) {
            throw new IllegalArgumentException("bad time grid " + Arrays.toString(grid));
        }
        if (!Double.isFinite(r.guidance())) {
            throw new MdmException("guidance must be a finite number (1 = no guidance), got " + r.guidance());
        }
        if (r.guidance() != 1.0 && r.unconditional() == null) {
            throw new MdmException("guidance " + r.guidance() + " needs an unconditional input (the conditioner's"
                    + " unconditional(n)); use guidance 1 to sample without it");
        }
        if (r.conditional() == null) {
            throw new MdmException("a sampling request needs the conditioning of its batch");
        }
        long batch = r.initial().get(0).getShape().get(0);
        if (r.conditional().tokens() != null && r.conditional().batchSize() != batch) {
            throw new MdmException("the conditioning has batch " + r.conditional().batchSize() + " but x_T has " + batch);
        }
    }
}
