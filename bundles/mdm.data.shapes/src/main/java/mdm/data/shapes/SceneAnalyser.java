package mdm.data.shapes;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Reads a scene back from pixels, robustly enough for generated samples (blur, noise, colour drift).
 * The background is the median of the border; shapes are the large connected regions whose
 * (3×3-median-filtered) colour distance from it exceeds a threshold; each region's colour is the hue
 * of its mean colour, its outline the best overlap with the three ideal outlines of the same area
 * and centroid, its size the box side that area implies, its position the nearest anchor, and its
 * texture the Fourier amplitude at the pattern's frequency along x and y inside the region.
 */
final class SceneAnalyser {
    /** Texture strength (relative to an ideal stripe pattern) below which a shape is plain. */
    static final double TEXTURE_STRENGTH = 0.3;
    /** Weaker/stronger axis ratio above which a pattern is dots rather than stripes. */
    static final double DOT_BALANCE = 0.45;

    private SceneAnalyser() {
    }

    /** A shape found in the image; fields are null where they could not be measured. */
    record Found(ShapeKind kind, Colour colour, SizeClass size, Texture texture, Placement position,
                 double cx, double cy, int area) {
    }

    record Analysis(Background background, List<Found> shapes) {
        Found largest() {
            return shapes.isEmpty() ? null : shapes.get(0);
        }
    }

    /** Analyses one image stored at {@code offset} in {@code pixels} as channels × size × size in [-1, 1]. */
    static Analysis analyse(float[] pixels, int offset, int channels, int size) {
        int plane = size * size;
        double[][] rgb = new double[3][plane];
        for (int c = 0; c < 3; c++) {
            int src = offset + (channels == 3 ? c : 0) * plane;
            for (int i = 0; i < plane; i++) {
                rgb[c][i] = (pixels[src + i] + 1.0) * 127.5;
            }
        }
        double[] bg = borderMedian(rgb, size);
        Background background = nearestBackground(bg);
        double[] distance = new double[plane];
        for (int i = 0; i < plane; i++) {
            double dr = rgb[0][i] - bg[0];
            double dg = rgb[1][i] - bg[1];
            double db = rgb[2][i] - bg[2];
            distance[i] = Math.sqrt(dr * dr + dg * dg + db * db);
        }
        double threshold = threshold(bg);
        boolean[] mask = mask(distance, threshold, size);
        int[] label = new int[plane];
        Arrays.fill(label, -1);
        List<int[]> regions = new ArrayList<>();
        for (int i = 0; i < plane; i++) {
            if (label[i] < 0 && mask[i]) {
                regions.add(flood(mask, size, i, regions.size(), label));
            }
        }
        double minArea = Math.max(4.0, 0.25 * ShapeKind.TRIANGLE.fill() * Math.pow(SizeClass.SMALL.fraction() * size, 2));
        List<Found> shapes = new ArrayList<>();
        for (int r = 0; r < regions.size(); r++) {
            if (regions.get(r).length >= minArea) {
                shapes.add(measure(regions.get(r), r, label, rgb, size));
            }
        }
        shapes.sort(Comparator.comparingInt(Found::area).reversed());
        return new Analysis(background, shapes);
    }

    private static double[] borderMedian(double[][] rgb, int size) {
        int ring = Math.max(1, size / 32);
        double[] out = new double[3];
        for (int c = 0; c < 3; c++) {
            double[] values = new double[size * size];
            int n = 0;
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    if (x < ring || y < ring || x >= size - ring || y >= size - ring) {
                        values[n++] = rgb[c][y * size + x];
                    }
                }
            }
            Arrays.sort(values, 0, n);
            out[c] = values[n / 2];
        }
        return out;
    }

    private static Background nearestBackground(double[] bg) {
        Background best = null;
        double bestD = Double.MAX_VALUE;
        for (Background b : Background.values()) {
            double d = 0;
            for (int c = 0; c < 3; c++) {
                d += (bg[c] - b.level()) * (bg[c] - b.level());
            }
            if (d < bestD) {
                bestD = d;
                best = b;
            }
        }
        return best;
    }

    /** 45 % of the smallest distance of any colour or its shade from this background. */
    private static double threshold(double[] bg) {
        double min = Double.MAX_VALUE;
        for (Colour colour : Colour.values()) {
            double plain = 0;
            double shade = 0;
            for (int c = 0; c < 3; c++) {
                plain += Math.pow(colour.channel(c) - bg[c], 2);
                shade += Math.pow(colour.shadeChannel(c) - bg[c], 2);
            }
            min = Math.min(min, Math.sqrt(Math.min(plain, shade)));
        }
        return Math.max(20.0, 0.45 * min);
    }

    /**
     * Pixels far enough from the background. Isolated noise is removed by a 3×3 median of the
     * distances, which also rounds off corners; the raw pixels next to what the median keeps are
     * added back, so small squares keep their corners.
     */
    private static boolean[] mask(double[] distance, double threshold, int size) {
        double[] smooth = median3x3(distance, size);
        boolean[] out = new boolean[distance.length];
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                int i = y * size + x;
                if (smooth[i] > threshold) {
                    out[i] = true;
                    continue;
                }
                if (distance[i] <= threshold) {
                    continue;
                }
                for (int yy = Math.max(0, y - 1); yy <= Math.min(size - 1, y + 1) && !out[i]; yy++) {
                    for (int xx = Math.max(0, x - 1); xx <= Math.min(size - 1, x + 1); xx++) {
                        if (smooth[yy * size + xx] > threshold) {
                            out[i] = true;
                            break;
                        }
                    }
                }
            }
        }
        return out;
    }

    private static double[] median3x3(double[] v, int size) {
        double[] out = new double[v.length];
        double[] window = new double[9];
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                int n = 0;
                for (int yy = Math.max(0, y - 1); yy <= Math.min(size - 1, y + 1); yy++) {
                    for (int xx = Math.max(0, x - 1); xx <= Math.min(size - 1, x + 1); xx++) {
                        window[n++] = v[yy * size + xx];
                    }
                }
                Arrays.sort(window, 0, n);
                out[y * size + x] = n % 2 == 1 ? window[n / 2] : 0.5 * (window[n / 2 - 1] + window[n / 2]);
            }
        }
        return out;
    }

    /** 4-connected region grown from {@code seed}; returns its pixel indices. */
    private static int[] flood(boolean[] mask, int size, int seed, int id, int[] label) {
        int[] stack = new int[mask.length];
        int[] members = new int[mask.length];
        int top = 0;
        int n = 0;
        stack[top++] = seed;
        label[seed] = id;
        while (top > 0) {
            int i = stack[--top];
            members[n++] = i;
            int x = i % size;
            int y = i / size;
            int[] next = {x > 0 ? i - 1 : -1, x < size - 1 ? i + 1 : -1, y > 0 ? i - size : -1, y < size - 1 ? i + size : -1};
            for (int j : next) {
                if (j >= 0 && label[j] < 0 && mask[j]) {
                    label[j] = id;
                    stack[top++] = j;
                }
            }
        }
        return Arrays.copyOf(members, n);
    }

    private static Found measure(int[] region, int id, int[] label, double[][] rgb, int size) {
        double sx = 0;
        double sy = 0;
        for (int i : region) {
            sx += i % size + 0.5;
            sy += i / size + 0.5;
        }
        double cx = sx / region.length;
        double cy = sy / region.length;
        int[] core = interior(region, id, label, size);
        Colour colour = colour(core, rgb);
        ShapeKind kind = outline(region, id, label, cx, cy, size);
        double side = Math.sqrt(region.length / kind.fill());
        SizeClass sizeClass = side / size < SizeClass.BOUNDARY ? SizeClass.SMALL : SizeClass.LARGE;
        double boxX = cx / size;
        double boxY = (cy - kind.centroidDrop() * side) / size;
        Placement position = null;
        double best = Double.MAX_VALUE;
        for (Placement p : Placement.values()) {
            double d = Math.hypot(p.x() - boxX, p.y() - boxY);
            if (d < best) {
                best = d;
                position = p;
            }
        }
        return new Found(kind, colour, sizeClass, texture(core, rgb, size), position, cx, cy, region.length);
    }

    /** Pixels whose four neighbours are in the region too: no anti-aliased or blurred edge. */
    private static int[] interior(int[] region, int id, int[] label, int size) {
        int[] out = new int[region.length];
        int n = 0;
        for (int i : region) {
            int x = i % size;
            int y = i / size;
            if (x > 0 && x < size - 1 && y > 0 && y < size - 1 && label[i - 1] == id && label[i + 1] == id
                    && label[i - size] == id && label[i + size] == id) {
                out[n++] = i;
            }
        }
        return n >= 4 ? Arrays.copyOf(out, n) : region;
    }

    private static Colour colour(int[] pixels, double[][] rgb) {
        double r = 0;
        double g = 0;
        double b = 0;
        for (int i : pixels) {
            r += rgb[0][i];
            g += rgb[1][i];
            b += rgb[2][i];
        }
        if (Hue.saturation(r, g, b) < 0.12) {
            return null;
        }
        double hue = Hue.of(r, g, b);
        Colour best = null;
        double bestD = Double.MAX_VALUE;
        for (Colour c : Colour.values()) {
            double d = Hue.distance(hue, c.hue());
            if (d < bestD) {
                bestD = d;
                best = c;
            }
        }
        return best;
    }

    /** The outline whose ideal form, with the region's area and centroid, overlaps the region best. */
    private static ShapeKind outline(int[] region, int id, int[] label, double cx, double cy, int size) {
        ShapeKind best = ShapeKind.CIRCLE;
        double bestIou = -1;
        for (ShapeKind kind : ShapeKind.values()) {
            double side = Math.sqrt(region.length / kind.fill());
            double half = side / 2;
            double bx = cx;
            double by = cy - kind.centroidDrop() * side;
            int x0 = Math.max(0, (int) Math.floor(bx - half - 1));
            int x1 = Math.min(size - 1, (int) Math.ceil(bx + half + 1));
            int y0 = Math.max(0, (int) Math.floor(by - half - 1));
            int y1 = Math.min(size - 1, (int) Math.ceil(by + half + 1));
            int inside = 0;
            int template = 0;
            for (int y = y0; y <= y1; y++) {
                for (int x = x0; x <= x1; x++) {
                    if (kind.distance(x + 0.5 - bx, y + 0.5 - by, half) < 0) {
                        template++;
                        if (label[y * size + x] == id) {
                            inside++;
                        }
                    }
                }
            }
            double iou = (double) inside / (template + region.length - inside);
            if (iou > bestIou) {
                bestIou = iou;
                best = kind;
            }
        }
        return best;
    }

    /**
     * Fourier amplitude of brightness at the pattern frequency 1/P along x and along y, relative to
     * what ideal stripes of this brightness give: stripes ≈ (1, 0), dots ≈ (½, ½), plain ≈ (0, 0).
     * The amplitude ignores phase, so patterns that moved with a clip's shape are measured alike.
     */
    static Texture texture(int[] pixels, double[][] rgb, int size) {
        int period = size / 16;
        if (period < 2) {
            return Texture.PLAIN; // below 32² no pattern can be drawn, so none can be seen
        }
        if (pixels.length < 4) {
            return null;
        }
        double[] lum = new double[pixels.length];
        double mean = 0;
        for (int k = 0; k < pixels.length; k++) {
            int i = pixels[k];
            lum[k] = rgb[0][i] + rgb[1][i] + rgb[2][i];
            mean += lum[k];
        }
        mean /= pixels.length;
        double w = 2 * Math.PI / period;
        double xr = 0;
        double xi = 0;
        double yr = 0;
        double yi = 0;
        for (int k = 0; k < pixels.length; k++) {
            double v = lum[k] - mean;
            int x = pixels[k] % size;
            int y = pixels[k] / size;
            xr += v * Math.cos(w * x);
            xi -= v * Math.sin(w * x);
            yr += v * Math.cos(w * y);
            yi -= v * Math.sin(w * y);
        }
        double[] sorted = lum.clone();
        Arrays.sort(sorted);
        double contrast = 0.5 * sorted[(int) (0.9 * (sorted.length - 1))];
        double ideal = contrast * stripeAmplitude(period) * pixels.length;
        if (ideal <= 0) {
            return Texture.PLAIN;
        }
        double rx = Math.hypot(xr, xi) / ideal;
        double ry = Math.hypot(yr, yi) / ideal;
        if (rx + ry < TEXTURE_STRENGTH) {
            return Texture.PLAIN;
        }
        return Math.min(rx, ry) > DOT_BALANCE * Math.max(rx, ry) ? Texture.DOTTED : Texture.STRIPED;
    }

    /** |first Fourier coefficient| of the shaded-half indicator of one period. */
    private static double stripeAmplitude(int period) {
        double re = 0;
        double im = 0;
        for (int u = period / 2; u < period; u++) {
            re += Math.cos(2 * Math.PI * u / period);
            im -= Math.sin(2 * Math.PI * u / period);
        }
        return Math.hypot(re, im) / period;
    }
}
