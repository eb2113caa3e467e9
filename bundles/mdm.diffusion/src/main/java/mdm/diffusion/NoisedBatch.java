package mdm.diffusion;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;

/**
 * One training batch after noising: every level's clean image (already divided by its signal
 * scale), its fresh noise, x_t and target at the one time step shared by all levels, and the
 * per-example coefficient tensors. Everything lives in the images' manager (the step's), which
 * keeps the coefficient tensors alive until after backward.
 */
public final class NoisedBatch {
    private final int[] times;
    private final NDArray modelTimes;
    private final List<NDArray> clean;
    private final List<NDArray> noise;
    private final List<NDArray> noisy;
    private final List<NDArray> targets;
    private final List<NoiseLevel> levels;
    private final int[] active;
    private final NDArray vdmWeights;

    NoisedBatch(int[] times, NDArray modelTimes, List<NDArray> clean, List<NDArray> noise, List<NDArray> noisy,
            List<NDArray> targets, List<NoiseLevel> levels, int[] active, NDArray vdmWeights) {
        this.times = times;
        this.modelTimes = modelTimes;
        this.clean = List.copyOf(clean);
        this.noise = List.copyOf(noise);
        this.noisy = List.copyOf(noisy);
        this.targets = List.copyOf(targets);
        this.levels = List.copyOf(levels);
        this.active = active;
        this.vdmWeights = vdmWeights;
    }

    /** Training step index t ∈ [0, N) per example; level γ is γ[t+1]. */
    public int[] times() {
        return times.clone();
    }

    /** t as an int64 tensor of the batch size: the backbone's {@code times} input. */
    public NDArray modelTimes() {
        return modelTimes;
    }

    public int batchSize() {
        return times.length;
    }

    /** Clean image per level, highest first, divided by the level's signal scale. */
    public List<NDArray> clean() {
        return clean;
    }

    /** Noise ε per level, highest first (independent draws per level). */
    public List<NDArray> noise() {
        return noise;
    }

    /** x_t per level, highest first, full batch. */
    public List<NDArray> noisy() {
        return noisy;
    }

    /** Loss target per level, highest first, in the loss target space. */
    public List<NDArray> targets() {
        return targets;
    }

    /** √γ, √(1−γ) per level and example. */
    public List<NoiseLevel> levels() {
        return levels;
    }

    /** Examples each level trains on (a prefix of the batch; all of it without mixed_ratio). */
    public int[] activeExamples() {
        return active.clone();
    }

    /** The backbone input: x_t per level cut to its active examples (the mixed batch). */
    public List<NDArray> modelInputs() {
        List<NDArray> inputs = new ArrayList<>();
        for (int i = 0; i < noisy.size(); i++) {
            inputs.add(active[i] == batchSize() ? noisy.get(i) : noisy.get(i).get("0:" + active[i]));
        }
        return inputs;
    }

    /** VDM loss weight per example (w[t+1]), or null when use_vdm_loss_weights is off. */
    public NDArray vdmWeights() {
        return vdmWeights;
    }
}
