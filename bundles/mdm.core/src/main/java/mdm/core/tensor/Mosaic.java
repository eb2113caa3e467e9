package mdm.core.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Video as a mosaic: frames tiled row-major into an n×n grid of one image (ml-mdm's layout, 16
 * frames as 4×4). These move the tiles into the batch and back: {@code b c (n h) (n w) <-> (b n n) c h w}.
 */
public final class Mosaic {
    private Mosaic() {
    }

    /** (B, C, n·h, n·w) → (B·n·n, C, h, w), tile (i, j) of sample b at batch index b·n² + i·n + j. */
    public static NDArray tilesToBatch(NDArray x, int n) {
        if (n == 1) {
            return x.reshape(x.getShape());
        }
        Shape s = x.getShape();
        long b = s.get(0);
        long c = s.get(1);
        long h = s.get(2) / n;
        long w = s.get(3) / n;
        if (h * n != s.get(2) || w * n != s.get(3)) {
            throw new IllegalArgumentException("mosaic " + s + " is not divisible into " + n + "×" + n + " tiles");
        }
        NDArray r = x.reshape(b, c, n, h, n, w);
        NDArray p = r.transpose(0, 2, 4, 1, 3, 5);
        NDArray y = p.reshape(b * n * n, c, h, w);
        r.close();
        p.close();
        return y;
    }

    /** The inverse of {@link #tilesToBatch}: (B·n·n, C, h, w) → (B, C, n·h, n·w). */
    public static NDArray batchToTiles(NDArray x, int n) {
        if (n == 1) {
            return x.reshape(x.getShape());
        }
        Shape s = x.getShape();
        long b = s.get(0) / (n * (long) n);
        long c = s.get(1);
        long h = s.get(2);
        long w = s.get(3);
        NDArray r = x.reshape(b, n, n, c, h, w);
        NDArray p = r.transpose(0, 3, 1, 4, 2, 5);
        NDArray y = p.reshape(b, c, n * h, n * w);
        r.close();
        p.close();
        return y;
    }

    /** Frames of a mosaic as a sequence: (B, C, n·h, n·w) → (B, n², C, h, w). */
    public static NDArray frames(NDArray x, int n) {
        NDArray t = tilesToBatch(x, n);
        Shape s = t.getShape();
        NDArray y = t.reshape(s.get(0) / ((long) n * n), (long) n * n, s.get(1), s.get(2), s.get(3));
        t.close();
        return y;
    }

    /** A frame sequence as a mosaic: (B, n², C, h, w) → (B, C, n·h, n·w). */
    public static NDArray fromFrames(NDArray frames, int n) {
        Shape s = frames.getShape();
        NDArray t = frames.reshape(s.get(0) * s.get(1), s.get(2), s.get(3), s.get(4));
        NDArray y = batchToTiles(t, n);
        t.close();
        return y;
    }
}
