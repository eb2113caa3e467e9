package mdm.api.diffusion;

import ai.djl.ndarray.NDArray;
import java.util.List;
import org.osgi.annotation.versioning.ConsumerType;

/** Called after each sampler step: for progress, and for pictures of the diffusion path. */
@ConsumerType
@FunctionalInterface
public interface SamplingListener {
    /**
     * @param step  1-based step number
     * @param total number of steps
     * @param t     γ-index the step started from
     * @param s     γ-index the step went to
     * @param xs    x_s per level after the step, highest resolution first
     * @param x0    the (thresholded) x0 estimate per level used by the step
     */
    void onStep(int step, int total, int t, int s, List<NDArray> xs, List<NDArray> x0);
}
