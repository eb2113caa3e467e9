package mdm.core.image;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;

/** Tensors of pixels in [-1, 1] (C,H,W), (N,C,H,W) or clips (N,F,C,H,W) as images; one host copy each. */
public final class TensorImages {
    private TensorImages() {
    }

    /** One image from a (C,H,W) tensor. */
    public static FloatImage image(NDArray chw) {
        Shape s = chw.getShape();
        if (s.dimension() != 3) {
            throw new IllegalArgumentException("expected (C,H,W), got " + s);
        }
        return new FloatImage((int) s.get(0), (int) s.get(1), (int) s.get(2), chw.toType(
                ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray());
    }

    /** Images from an (N,C,H,W) tensor. */
    public static List<FloatImage> images(NDArray nchw) {
        Shape s = nchw.getShape();
        if (s.dimension() != 4) {
            throw new IllegalArgumentException("expected (N,C,H,W), got " + s);
        }
        return split(nchw.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray(),
                (int) s.get(0), (int) s.get(1), (int) s.get(2), (int) s.get(3));
    }

    /** Clips from an (N,F,C,H,W) tensor: one list of frames per clip. */
    public static List<List<FloatImage>> clips(NDArray nfchw) {
        Shape s = nfchw.getShape();
        if (s.dimension() != 5) {
            throw new IllegalArgumentException("expected (N,F,C,H,W), got " + s);
        }
        int n = (int) s.get(0);
        int f = (int) s.get(1);
        List<FloatImage> frames = split(nfchw.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray(),
                n * f, (int) s.get(2), (int) s.get(3), (int) s.get(4));
        List<List<FloatImage>> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(List.copyOf(frames.subList(i * f, (i + 1) * f)));
        }
        return out;
    }

    private static List<FloatImage> split(float[] all, int n, int c, int h, int w) {
        List<FloatImage> out = new ArrayList<>(n);
        int size = c * h * w;
        for (int i = 0; i < n; i++) {
            float[] d = new float[size];
            System.arraycopy(all, i * size, d, 0, size);
            out.add(new FloatImage(c, h, w, d));
        }
        return out;
    }
}
