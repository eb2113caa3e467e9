package mdm.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import mdm.core.tensor.NativeArrays;

/**
 * Absolute 2-D position for a level's input grid (our extension; ml-mdm has no such layer): fixed
 * sinusoids of x and of y with periods of the whole grid, a half, a quarter and an eighth of it, projected
 * by a learned 1×1 convolution and added to the features after {@code conv_in}.
 *
 * <p>Why: a UNet is translation-equivariant except near its borders, which is right for an image but
 * not for video mode's key-frame mosaic, where a pixel's tile says which frame it is in and its place in
 * the tile says where a moving shape must be in that frame. Without it the key-frame level placed the
 * shape in each tile on its own. Measured (README, "Sample quality"): with it the key frames' count and
 * shape are right far more often after the same training; their motion direction still needs a longer
 * key-frame stage. The periods of the whole grid and its half tell the 2×2 tiles apart; the shorter ones the place inside
 * a tile. The projection starts at zero, so that a level with the encoding starts as the level without.
 */
public final class SpatialPositionEncoding {
    /** Periods per axis: the grid's side divided by 1, 2, 4 and 8. */
    public static final int OCTAVES = 4;
    /** sin and cos of x and of y per octave. */
    public static final int FEATURES = 4 * OCTAVES;

    private final ConvLayer projection;
    /** The fixed features per grid size, made once on the parameters' device and owned by their manager. */
    private final Map<Long, NDArray> grids = new ConcurrentHashMap<>();

    public SpatialPositionEncoding(Params p, long channels) {
        this.projection = ConvLayer.conv2d(p, FEATURES, channels, 1, 1, true);
    }

    /** {@code x} (B, C, H, W) plus the projected position features of its H × W grid. */
    public NDArray forward(NDArray x) {
        Shape s = x.getShape();
        int h = (int) s.get(2);
        int w = (int) s.get(3);
        NDArray grid = grids.computeIfAbsent(((long) h << 32) | w, k -> NativeArrays.create(
                projection.weight().getManager(), features(h, w), new Shape(1, FEATURES, h, w)));
        return x.add(projection.forward(grid));
    }

    /**
     * The fixed features, channel-major: for octave k, sin and cos of 2π·2^k·(x + ½)/W, then of y over H
     * (at pixel centres).
     */
    public static float[] features(int h, int w) {
        float[] out = new float[FEATURES * h * w];
        int plane = h * w;
        for (int k = 0; k < OCTAVES; k++) {
            double fx = 2 * Math.PI * (1 << k) / w;
            double fy = 2 * Math.PI * (1 << k) / h;
            int base = 4 * k * plane;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int i = y * w + x;
                    out[base + i] = (float) Math.sin(fx * (x + 0.5));
                    out[base + plane + i] = (float) Math.cos(fx * (x + 0.5));
                    out[base + 2 * plane + i] = (float) Math.sin(fy * (y + 0.5));
                    out[base + 3 * plane + i] = (float) Math.cos(fy * (y + 0.5));
                }
            }
        }
        return out;
    }

    public ConvLayer projection() {
        return projection;
    }
}
