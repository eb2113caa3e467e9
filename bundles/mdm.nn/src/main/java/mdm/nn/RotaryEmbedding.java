package mdm.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import mdm.core.tensor.NativeArrays;

/**
 * Rotary position embedding as the {@code rotary_embedding_torch} package applies it by default
 * (θ = 10000, interleaved pairs: channel pairs (2i, 2i+1) rotate by position·θ^(−2i/d)), on
 * tensors laid out (B, L, H, d) with positions along L. It has no parameters.
 */
public final class RotaryEmbedding {
    private static final double THETA = 10000.0;
    private final int dim;

    public RotaryEmbedding(int dim) {
        if (dim % 2 != 0) {
            throw new IllegalArgumentException("rotary embedding needs an even head width, got " + dim);
        }
        this.dim = dim;
    }

    /** {@code x·cos + rotate_half(x)·sin} with rotate_half((a, b)) = (−b, a) per pair. */
    public NDArray rotate(NDArray x) {
        Shape s = x.getShape();
        int len = Math.toIntExact(s.get(1));
        NDManager m = x.getManager();
        float[] cos = new float[len * dim];
        float[] sin = new float[len * dim];
        for (int t = 0; t < len; t++) {
            for (int i = 0; i < dim / 2; i++) {
                float freq = (float) (1.0 / Math.pow(THETA, (2.0 * i) / dim));
                float angle = t * freq;
                cos[t * dim + 2 * i] = cos[t * dim + 2 * i + 1] = (float) Math.cos(angle);
                sin[t * dim + 2 * i] = sin[t * dim + 2 * i + 1] = (float) Math.sin(angle);
            }
        }
        Shape table = new Shape(1, len, 1, dim);
        NDArray c = NativeArrays.create(m, cos, table);
        NDArray sn = NativeArrays.create(m, sin, table);
        NDArray pairs = x.reshape(s.get(0), s.get(1), s.get(2), dim / 2, 2);
        NDList ab = pairs.split(2, 4);
        NDArray rotated = ab.get(1).neg().concat(ab.get(0), 4).reshape(s);
        return x.mul(c).add(rotated.mul(sn));
    }
}
