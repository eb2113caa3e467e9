package mdm.core.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.Map;

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

    /** √Σ‖g‖² over all gradients, in double precision on the host. */
    public static double globalNorm(Map<String, NDArray> grads) {
        if (grads.isEmpty()) {
            return 0;
        }
        NDArray total = null;
        for (NDArray g : grads.values()) {
            NDArray sq = g.square().sum();
            total = total == null ? sq : total.add(sq);
        }
        return Math.sqrt(total.toType(ai.djl.ndarray.types.DataType.FLOAT64, false).getDouble());
    }

    /**
     * Scales gradients so their global norm is at most {@code maxNorm} (PyTorch's
     * {@code clip_grad_norm_}: coefficient maxNorm / (norm + 1e-6), applied when below 1).
     *
     * @return the norm before clipping
     */
    public static double clipGlobalNorm(Map<String, NDArray> grads, double maxNorm, NDManager scratch) {
        double norm = globalNorm(grads);
        double coefficient = maxNorm / (norm + 1e-6);
        if (coefficient < 1.0) {
            NDArray c = scratch.full(new Shape(), (float) coefficient);
            for (NDArray g : grads.values()) {
                g.muli(c);
            }
        }
        return norm;
    }

    /** Sets every gradient to zero (NaN-safe: overwrites rather than subtracts). */
    public static void zero(Map<String, NDArray> grads) {
        for (NDArray g : grads.values()) {
            g.set(new ai.djl.ndarray.index.NDIndex("..."), 0f);
        }
    }

    /** Whether any gradient holds a NaN or infinity. */
    public static boolean anyNonFinite(Map<String, NDArray> grads) {
        for (NDArray g : grads.values()) {
            if (g.isInfinite().any().getBoolean() || g.isNaN().any().getBoolean()) {
                return true;
            }
        }
        return false;
    }

    public static void close(Map<String, NDArray> grads) {
        grads.values().forEach(NDArray::close);
    }
}
