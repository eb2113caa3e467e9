package mdm.baseline.cascade.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import mdm.api.MdmException;
import mdm.core.tensor.NativeArrays;

/**
 * Bilinear up-sampling by an integer factor, as PyTorch's {@code interpolate(mode="bilinear",
 * align_corners=False)}: a separable linear map, applied as one matrix product per axis (DJL has
 * no interpolation operator).
 */
final class Bilinear {
    private Bilinear() {
    }

    /** {@code x} (N, C, H, W) resized to (N, C, H·factor, W·factor). */
    static NDArray upsample(NDArray x, int factor) {
        Shape s = x.getShape();
        if (s.dimension() != 4 || factor < 1) {
            throw new MdmException("bilinear up-sampling expects N×C×H×W images and a factor ≥ 1, got " + s + " and " + factor);
        }
        if (factor == 1) {
            return x.duplicate();
        }
        NDManager m = x.getManager();
        int h = Math.toIntExact(s.get(2));
        int w = Math.toIntExact(s.get(3));
        NDArray alongW = NativeArrays.create(m, matrix(w, factor), new Shape(w, (long) w * factor)).toType(x.getDataType(), false);
        NDArray alongH = NativeArrays.create(m, matrix(h, factor), new Shape(h, (long) h * factor)).toType(x.getDataType(), false);
        NDArray y = x.matMul(alongW);                       // N, C, H, W'
        return y.transpose(0, 1, 3, 2).matMul(alongH).transpose(0, 1, 3, 2); // N, C, H', W'
    }

    /** The n × n·factor matrix M with up(v) = v·M for a row vector v of length n. */
    static float[] matrix(int n, int factor) {
        int out = n * factor;
        float[] m = new float[n * out];
        for (int i = 0; i < out; i++) {
            double src = Math.max(0, (i + 0.5) / factor - 0.5);
            int i0 = Math.min((int) Math.floor(src), n - 1);
            int i1 = Math.min(i0 + 1, n - 1);
            double frac = src - i0;
            m[i0 * out + i] += (float) (1 - frac);
            m[i1 * out + i] += (float) frac;
        }
        return m;
    }
}
