package mdm.core.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.Map;
import mdm.core.tensor.NativeArrays;

/**
 * The gradients of named parameters. libtorch accumulates gradients across backward passes (which
 * gradient accumulation relies on), so they are zeroed explicitly after each optimiser step.
 */
public final class Gradients {
    private Gradients() {
    }

    /**
     * Gradient views of the parameters that have one (sharing the parameter's gradient storage).
     * The caller closes them (each is a new handle in the parameter's manager).
     */
    public static Map<String, NDArray> of(Map<String, NDArray> parameters) {
        Map<String, NDArray> grads = new LinkedHashMap<>();
        parameters.forEach((name, p) -> {
            if (p.hasGradient()) {
                grads.put(name, p.getGradient());
            }
        });
        return grads;
    }

    /**
     * √Σ‖g‖² over all gradients, with one host read; NaN or infinity when any gradient holds one.
     *
     * @param scratch the step's manager, which receives the partial sums
     */
    public static double globalNorm(Map<String, NDArray> grads, NDManager scratch) {
        if (grads.isEmpty()) {
            return 0;
        }
        NDList parts = new NDList(grads.size());
        for (NDArray g : grads.values()) {
            // a gradient's temporaries land in the parameter's long-lived manager: move or close them
            try (NDArray sq = g.square()) {
                NDArray sum = sq.sum();
                sum.attach(scratch);
                parts.add(sum);
            }
        }
        return Math.sqrt(NDArrays.stack(parts).sum().toType(DataType.FLOAT64, false).getDouble());
    }

    /**
     * Scales gradients whose global norm is {@code norm} so that it becomes at most {@code maxNorm}
     * (PyTorch's {@code clip_grad_norm_}: coefficient maxNorm / (norm + 1e-6), applied when below 1).
     */
    public static void clip(Map<String, NDArray> grads, double norm, double maxNorm, NDManager scratch) {
        double coefficient = maxNorm / (norm + 1e-6);
        if (coefficient < 1.0) {
            NDArray c = scratch.full(new Shape(), (float) coefficient);
            for (NDArray g : grads.values()) {
                g.muli(c);
            }
        }
    }

    /** {@link #globalNorm} then {@link #clip}; returns the norm before clipping. */
    public static double clipGlobalNorm(Map<String, NDArray> grads, double maxNorm, NDManager scratch) {
        double norm = globalNorm(grads, scratch);
        clip(grads, norm, maxNorm, scratch);
        return norm;
    }

    /**
     * Sets every finite gradient to zero in place (a multiplication by a scalar of {@code scratch};
     * no temporary lands in the parameters' manager). Use {@link #reset} after a non-finite step.
     */
    public static void zero(Map<String, NDArray> grads, NDManager scratch) {
        NDArray zero = scratch.zeros(new Shape());
        for (NDArray g : grads.values()) {
            g.muli(zero);
        }
    }

    /**
     * Overwrites every gradient with zeros, NaN and infinity included, in the gradient's own
     * storage (an element-wise copy of a zero scalar of {@code scratch}). Never hand a gradient a
     * Java buffer ({@code NDArray.set(Buffer)}): on the CPU the parameter's gradient would then live
     * in memory the garbage collector frees once the gradient handle is gone.
     */
    public static void reset(Map<String, NDArray> grads, NDManager scratch) {
        for (NDArray g : grads.values()) {
            NativeArrays.fill(g, 0f, scratch);
        }
    }

    public static void close(Map<String, NDArray> grads) {
        grads.values().forEach(NDArray::close);
    }
}
