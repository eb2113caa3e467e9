package mdm.core.image;

import mdm.core.random.HostRandom;

/**
 * Resampling and cropping of float images. Resizing is separable with a triangle (bilinear) kernel
 * that widens by the shrink factor, so downscaling averages every source pixel instead of
 * aliasing (the same idea as PIL's antialiased BILINEAR).
 */
public final class Resize {
    private Resize() {
    }

    /** Resizes so that the shorter side becomes {@code size}, keeping the aspect ratio. */
    public static FloatImage shorterSide(FloatImage image, int size) {
        int h = image.height();
        int w = image.width();
        if (Math.min(h, w) == size) {
            return image;
        }
        double scale = (double) size / Math.min(h, w);
        int nh = h <= w ? size : Math.max(size, (int) Math.round(h * scale));
        int nw = w < h ? size : Math.max(size, (int) Math.round(w * scale));
        return resize(image, nh, nw);
    }

    /** Shorter side to {@code size}, then a {@code size}² crop (the ml-mdm reader's pipeline with CENTRE). */
    public static FloatImage shorterSideAndCrop(FloatImage image, int size, Crop crop, HostRandom random) {
        FloatImage scaled = shorterSide(image, size);
        return crop == Crop.CENTRE ? centreCrop(scaled, size, size) : randomCrop(scaled, size, size, random);
    }

    public static FloatImage centreCrop(FloatImage image, int height, int width) {
        return crop(image, (image.height() - height) / 2, (image.width() - width) / 2, height, width);
    }

    public static FloatImage randomCrop(FloatImage image, int height, int width, HostRandom random) {
        int y = random.nextInt(image.height() - height + 1);
        int x = random.nextInt(image.width() - width + 1);
        return crop(image, y, x, height, width);
    }

    public static FloatImage crop(FloatImage image, int top, int left, int height, int width) {
        if (top < 0 || left < 0 || top + height > image.height() || left + width > image.width()) {
            throw new IllegalArgumentException("crop " + height + "×" + width + " at (" + top + ", " + left
                    + ") does not fit in " + image.height() + "×" + image.width());
        }
        if (top == 0 && left == 0 && height == image.height() && width == image.width()) {
            return image;
        }
        int c = image.channels();
        float[] out = new float[c * height * width];
        float[] src = image.data();
        for (int ch = 0; ch < c; ch++) {
            for (int y = 0; y < height; y++) {
                System.arraycopy(src, (ch * image.height() + top + y) * image.width() + left,
                        out, (ch * height + y) * width, width);
            }
        }
        return new FloatImage(c, height, width, out);
    }

    /** Flips left and right. */
    public static FloatImage flipHorizontal(FloatImage image) {
        int w = image.width();
        float[] src = image.data();
        float[] out = new float[src.length];
        for (int row = 0; row < image.channels() * image.height(); row++) {
            for (int x = 0; x < w; x++) {
                out[row * w + x] = src[row * w + w - 1 - x];
            }
        }
        return new FloatImage(image.channels(), image.height(), w, out);
    }

    /** Resizes to {@code height} × {@code width}. */
    public static FloatImage resize(FloatImage image, int height, int width) {
        if (height == image.height() && width == image.width()) {
            return image;
        }
        Kernel rows = Kernel.of(image.height(), height);
        Kernel cols = Kernel.of(image.width(), width);
        int c = image.channels();
        int ih = image.height();
        int iw = image.width();
        float[] src = image.data();
        float[] tmp = new float[c * ih * width];
        for (int row = 0; row < c * ih; row++) {
            cols.apply(src, row * iw, 1, tmp, row * width, 1);
        }
        float[] out = new float[c * height * width];
        for (int ch = 0; ch < c; ch++) {
            for (int x = 0; x < width; x++) {
                rows.apply(tmp, ch * ih * width + x, width, out, ch * height * width + x, width);
            }
        }
        return new FloatImage(c, height, width, out);
    }

    /** Precomputed taps of a 1-D resampling from n to m samples. */
    private record Kernel(int[] start, float[][] weights) {
        static Kernel of(int n, int m) {
            double scale = (double) n / m;
            double support = Math.max(1.0, scale);
            int[] start = new int[m];
            float[][] weights = new float[m][];
            for (int i = 0; i < m; i++) {
                double centre = (i + 0.5) * scale;
                int lo = Math.max(0, (int) Math.floor(centre - support));
                int hi = Math.min(n - 1, (int) Math.ceil(centre + support));
                double[] w = new double[hi - lo + 1];
                double sum = 0;
                for (int j = lo; j <= hi; j++) {
                    double t = Math.abs((j + 0.5 - centre) / support);
                    w[j - lo] = Math.max(0.0, 1.0 - t);
                    sum += w[j - lo];
                }
                weights[i] = new float[w.length];
                for (int k = 0; k < w.length; k++) {
                    weights[i][k] = (float) (w[k] / sum);
                }
                start[i] = lo;
            }
            return new Kernel(start, weights);
        }

        void apply(float[] src, int srcOffset, int srcStride, float[] dst, int dstOffset, int dstStride) {
            for (int i = 0; i < start.length; i++) {
                float[] w = weights[i];
                int base = srcOffset + start[i] * srcStride;
                float acc = 0f;
                for (int k = 0; k < w.length; k++) {
                    acc += w[k] * src[base + k * srcStride];
                }
                dst[dstOffset + i * dstStride] = acc;
            }
        }
    }
}
