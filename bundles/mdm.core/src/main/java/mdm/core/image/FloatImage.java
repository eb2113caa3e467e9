package mdm.core.image;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.util.Arrays;

/**
 * An image as float pixels in [-1, 1], channels × height × width (1 = grey, 3 = RGB). The array is
 * shared, not copied: whoever builds a FloatImage hands its array over.
 */
public record FloatImage(int channels, int height, int width, float[] data) {
    private static final float[] FROM_BYTE = new float[256];

    static {
        for (int i = 0; i < 256; i++) {
            FROM_BYTE[i] = i / 127.5f - 1f;
        }
    }

    public FloatImage {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("images have 1 or 3 channels, not " + channels);
        }
        if (height <= 0 || width <= 0 || data.length != channels * height * width) {
            throw new IllegalArgumentException("pixels hold " + data.length + " values, expected "
                    + channels + "×" + height + "×" + width);
        }
    }

    /** A blank image of one value. */
    public static FloatImage filled(int channels, int height, int width, float value) {
        float[] d = new float[channels * height * width];
        Arrays.fill(d, value);
        return new FloatImage(channels, height, width, d);
    }

    /** The byte value 0..255 as a pixel value in [-1, 1]. */
    public static float fromByte(int value) {
        return FROM_BYTE[value & 0xff];
    }

    /** The pixel value in [-1, 1] as a byte value 0..255 (rounded, clamped). */
    public static int toByte(float value) {
        float v = (value + 1f) * 127.5f;
        if (!(v > 0f)) {
            return 0; // also NaN
        }
        return v >= 255f ? 255 : Math.round(v);
    }

    public float get(int c, int y, int x) {
        return data[(c * height + y) * width + x];
    }

    /** Grey is repeated into three channels; RGB is returned as is. */
    public FloatImage toRgb() {
        if (channels == 3) {
            return this;
        }
        int n = height * width;
        float[] d = new float[3 * n];
        for (int c = 0; c < 3; c++) {
            System.arraycopy(data, 0, d, c * n, n);
        }
        return new FloatImage(3, height, width, d);
    }

    /** Luma (ITU-R 601 weights) for RGB; grey is returned as is. */
    public FloatImage toGrey() {
        if (channels == 1) {
            return this;
        }
        int n = height * width;
        float[] d = new float[n];
        for (int i = 0; i < n; i++) {
            d[i] = 0.299f * data[i] + 0.587f * data[n + i] + 0.114f * data[2 * n + i];
        }
        return new FloatImage(1, height, width, d);
    }

    /** Any decoded image to float RGB; transparent pixels are composited over black. */
    public static FloatImage fromBufferedImage(BufferedImage image) {
        BufferedImage bgr = image;
        if (image.getType() != BufferedImage.TYPE_3BYTE_BGR) {
            bgr = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_3BYTE_BGR);
            var g = bgr.createGraphics();
            g.drawImage(image, 0, 0, null);
            g.dispose();
        }
        int h = bgr.getHeight();
        int w = bgr.getWidth();
        int n = h * w;
        byte[] src = ((DataBufferByte) bgr.getRaster().getDataBuffer()).getData();
        float[] d = new float[3 * n];
        for (int i = 0; i < n; i++) {
            d[i] = FROM_BYTE[src[3 * i + 2] & 0xff];
            d[n + i] = FROM_BYTE[src[3 * i + 1] & 0xff];
            d[2 * n + i] = FROM_BYTE[src[3 * i] & 0xff];
        }
        return new FloatImage(3, h, w, d);
    }

    /** An 8-bit RGB image (grey is repeated into the three channels). */
    public BufferedImage toBufferedImage() {
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        byte[] dst = ((DataBufferByte) out.getRaster().getDataBuffer()).getData();
        int n = height * width;
        int g = channels == 3 ? n : 0;
        int b = channels == 3 ? 2 * n : 0;
        for (int i = 0; i < n; i++) {
            dst[3 * i] = (byte) toByte(data[b + i]);
            dst[3 * i + 1] = (byte) toByte(data[g + i]);
            dst[3 * i + 2] = (byte) toByte(data[i]);
        }
        return out;
    }

    /** Frame {@code f} of a clip stored frames × channels × height × width, as an image (copied). */
    public static FloatImage frameOf(float[] clip, int f, int channels, int height, int width) {
        int n = channels * height * width;
        return new FloatImage(channels, height, width, Arrays.copyOfRange(clip, f * n, (f + 1) * n));
    }
}
