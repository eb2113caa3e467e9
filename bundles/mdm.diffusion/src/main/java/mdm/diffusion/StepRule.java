package mdm.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.function.Supplier;

/**
 * How one sampler moves one level from γ-index t to s, given x_t and the (thresholded) x0 estimate.
 * A rule is created per sampling run and may keep history (multistep solvers).
 */
@FunctionalInterface
public interface StepRule {
    /**
     * @return x_s, in the step's manager (the loop keeps it)
     */
    NDArray step(LevelStep step);

    /**
     * What a rule sees for one level at one step.
     *
     * @param level  level index, highest resolution first
     * @param index  0-based step number
     * @param t      γ-index the step starts from
     * @param s      γ-index it goes to (0 = clean)
     * @param gammaT γ_level[t] (float32 as in the reference)
     * @param gammaS γ_level[s]
     * @param xt     x_t
     * @param x0     the thresholded x0 estimate
     * @param noise  fresh N(0, I) shaped like x_t; call at most once, and only when the step needs
     *               noise, so that draws happen in the reference's order
     * @param run    a manager that lives for the whole run, for state a rule keeps between steps
     */
    record LevelStep(int level, int index, int t, int s, float gammaT, float gammaS, NDArray xt, NDArray x0,
            Supplier<NDArray> noise, NDManager run) {
    }
}
