package mdm.core.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** Resampling helpers that autograd can differentiate through. */
public final class Resize {
    private Resize() {
    }

    /**
     * Nearest-neighbour upsampling by 2 along every axis after the first two of (N, C, ...): each
     * element is copied into a 2×…×2 block, as {@code F.interpolate(x, scale_factor=2)} does. Done as
     * one {@code repeat_interleave} per axis, which measured faster here than PyTorch's CPU
     * {@code upsample_nearest2d} (it round-trips through channels-last) and than a broadcast copy
     * (whose backward is a strided reduction).
     */
    public static NDArray nearest2x(NDArray x) {
        Shape s = x.getShape();
        if (s.dimension() < 3) {
            throw new IllegalArgumentException("nearest2x needs (N, C, ...) input, got " + s);
        }
        NDArray y = x.repeat(2, 2);
        for (int axis = 3; axis < s.dimension(); axis++) {
            NDArray next = y.repeat(axis, 2);
            y.close();
            y = next;
        }
        return y;
    }
}
