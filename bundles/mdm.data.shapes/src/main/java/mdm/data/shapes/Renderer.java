package mdm.data.shapes;

import java.util.Arrays;
import mdm.core.image.FloatImage;

/**
 * Draws scenes as float RGB in [-1, 1], channels × height × width per frame. Edges are
 * anti-aliased by coverage = clamp(0.5 − signed distance); textures follow the shape (pattern
 * coordinates move with it) and are aligned to the pixel grid where the shape sits at its anchor.
 * Pure arithmetic on the scene: the same scene always gives the same bytes.
 */
public final class Renderer {
    /** Distance a clip's shape travels, as a fraction of the image side (left anchor to right anchor). */
    public static final double TRAVEL = 0.5;

    private Renderer() {
    }

    /** All frames of a scene (1 for images), frames × 3 × size × size. */
    public static float[] render(Scene scene, int size, int frames) {
        int n = 3 * size * size;
        float[] out = new float[frames * n];
        for (int f = 0; f < frames; f++) {
            int[] offset = offset(scene.direction(), size, f, frames);
            drawFrame(scene, size, offset[0], offset[1], out, f * n);
        }
        return out;
    }

    /** Integer pixel offset of a clip's shape from its anchor in frame {@code f}. */
    public static int[] offset(Direction direction, int size, int f, int frames) {
        if (direction == null) {
            return new int[] {0, 0};
        }
        double t = -TRAVEL / 2 * size + TRAVEL * size * f / (frames - 1);
        int step = (int) Math.round(t);
        return new int[] {step * direction.dx(), step * direction.dy()};
    }

    private static void drawFrame(Scene scene, int size, int ox, int oy, float[] out, int base) {
        int plane = size * size;
        float bg = FloatImage.fromByte(scene.background().level());
        Arrays.fill(out, base, base + 3 * plane, bg);
        for (Scene.Item item : scene.items()) {
            drawItem(item, size, ox, oy, out, base);
        }
    }

    private static void drawItem(Scene.Item item, int size, int ox, int oy, float[] out, int base) {
        int plane = size * size;
        int period = Math.max(1, size / 16);
        double half = item.size().fraction() * size / 2;
        double cx = item.position().x() * size + ox;
        double cy = item.position().y() * size + oy;
        float[] plain = new float[3];
        float[] shade = new float[3];
        for (int c = 0; c < 3; c++) {
            plain[c] = FloatImage.fromByte(item.colour().channel(c));
            shade[c] = FloatImage.fromByte(item.colour().shadeChannel(c));
        }
        int x0 = Math.max(0, (int) Math.floor(cx - half - 1));
        int x1 = Math.min(size - 1, (int) Math.ceil(cx + half + 1));
        int y0 = Math.max(0, (int) Math.floor(cy - half - 1));
        int y1 = Math.min(size - 1, (int) Math.ceil(cy + half + 1));
        for (int y = y0; y <= y1; y++) {
            double dy = y + 0.5 - cy;
            for (int x = x0; x <= x1; x++) {
                double d = item.kind().distance(x + 0.5 - cx, dy, half);
                float cover = (float) Math.min(1.0, 0.5 - d);
                if (cover <= 0f) {
                    continue;
                }
                float[] colour = item.texture().shaded(x - ox, y - oy, period) ? shade : plain;
                int i = base + y * size + x;
                for (int c = 0; c < 3; c++) {
                    int k = i + c * plane;
                    out[k] = cover >= 1f ? colour[c] : out[k] + cover * (colour[c] - out[k]);
                }
            }
        }
    }
}
