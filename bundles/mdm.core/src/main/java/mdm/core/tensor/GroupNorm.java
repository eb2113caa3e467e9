package mdm.core.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.norm.LayerNorm;

/**
 * Group normalisation, which DJL lacks. The statistics come from one fused {@code layerNorm} over
 * the reshaped input (N, G, C/G·spatial); the per-channel affine comes after it as one more fused
 * kernel (see {@link #channelAffine}), with any per-sample FiLM scale and shift folded into its
 * coefficients.
 */
public final class GroupNorm {
    /** PyTorch's default epsilon for GroupNorm and LayerNorm. */
    public static final float EPS = 1e-5f;

    private GroupNorm() {
    }

    /** Normalises each group of channels of {@code x} (N, C, ...) to zero mean, unit variance. */
    public static NDArray normalize(NDArray x, int groups, float eps) {
        Shape shape = x.getShape();
        long n = shape.get(0);
        long c = shape.get(1);
        if (c % groups != 0) {
            throw new IllegalArgumentException("GroupNorm: " + c + " channels are not divisible into " + groups + " groups");
        }
        long k = shape.size() / n / groups;
        NDManager m = x.getManager();
        // layerNorm needs an affine pair; unit/zero constants (no gradient) keep it a pure normalisation.
        try (NDArray one = m.ones(new Shape(k)); NDArray zero = m.zeros(new Shape(k))) {
            NDArray grouped = x.reshape(n, groups, k);
            NDArray normed = LayerNorm.layerNorm(grouped, new Shape(k), one, zero, eps).singletonOrThrow();
            NDArray out = normed.reshape(shape);
            grouped.close();
            normed.close();
            return out;
        }
    }

    /** {@code GroupNorm(x)·γ + β} with per-channel γ, β of shape (C). */
    public static NDArray apply(NDArray x, int groups, NDArray gamma, NDArray beta, float eps) {
        NDArray normed = normalize(x, groups, eps);
        NDArray out = channelAffine(normed, gamma, beta);
        normed.close();
        return out;
    }

    /**
     * {@code (GroupNorm(x)·γ + β)·(1 + scale) + shift} with per-channel γ, β (C) and per-sample
     * scale, shift (N, C), computed as one multiply-add with coefficients γ(1+scale) and
     * β(1+scale)+shift: the FiLM conditioning of a ResNet block.
     */
    public static NDArray applyScaleShift(NDArray x, int groups, NDArray gamma, NDArray beta,
            NDArray scale, NDArray shift, float eps) {
        NDArray normed = normalize(x, groups, eps);
        NDArray onePlus = scale.add(Scalars.of(scale.getManager(), 1.0));
        NDArray a = onePlus.mul(gamma);
        NDArray b = onePlus.mul(beta).add(shift);
        Shape shape = normed.getShape();
        long rows = shape.get(0) * shape.get(1);
        long[] flat = shape.getShape().clone();
        flat[0] = 1;
        flat[1] = rows;
        NDArray y = channelAffine(normed.reshape(new Shape(flat)), a.reshape(rows), b.reshape(rows));
        normed.close();
        NDArray out = y.reshape(shape);
        y.close();
        return out;
    }

    /**
     * {@code x·w_c + b_c} along axis 1 of (N, C, ...) in one kernel each way: a batch norm in
     * inference form with zero mean, unit variance and no epsilon, which is exactly the affine map
     * and whose backward gives the input, weight and bias gradients in one pass.
     */
    public static NDArray channelAffine(NDArray x, NDArray w, NDArray b) {
        NDManager m = x.getManager();
        Shape c = new Shape(x.getShape().get(1));
        try (NDArray mean = m.zeros(c); NDArray var = m.ones(c)) {
            return BatchNorm.batchNorm(x, mean, var, w, b, -1, 0f, 0f, false).singletonOrThrow();
        }
    }
}
