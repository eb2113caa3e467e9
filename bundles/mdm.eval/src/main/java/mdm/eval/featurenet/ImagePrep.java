package mdm.eval.featurenet;

import java.util.List;
import mdm.api.MdmException;
import mdm.api.data.Sample;

/**
 * Brings images to a network's input: channels averaged (colour → grey) or repeated (grey →
 * colour), the side area-averaged down or repeated up by a whole factor. Clips give one image per
 * frame. Done on the host: it is cheap next to the network.
 */
public final class ImagePrep {
    private ImagePrep() {
    }

    /** Images per sample (its frames). */
    public static int frames(Sample s) {
        return Math.max(1, s.frames());
    }

    /** Every frame of every sample as (Σframes, channels, side, side), row-major. */
    public static float[] prepare(List<Sample> samples, int channels, int side) {
        int per = channels * side * side;
        int total = samples.stream().mapToInt(ImagePrep::frames).sum();
        float[] out = new float[total * per];
        int at = 0;
        for (Sample s : samples) {
            if (s.pixels() == null) {
                throw new MdmException("sample " + s.id() + " has no pixels to embed");
            }
            if (s.height() != s.width()) {
                throw new MdmException("feature networks read square images; sample " + s.id() + " is "
                        + s.height() + "×" + s.width());
            }
            for (int f = 0; f < frames(s); f++) {
                frame(s, f, channels, side, out, at);
                at += per;
            }
        }
        return out;
    }

    private static void frame(Sample s, int f, int channels, int side, float[] out, int at) {
        int size = s.width();
        int plane = size * size;
        int base = f * s.channels() * plane;
        if (size % side != 0 && side % size != 0) {
            throw new MdmException("a " + size + "² image cannot be resized to the feature network's " + side
                    + "² input by a whole factor");
        }
        float[] px = s.pixels();
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < side; y++) {
                for (int x = 0; x < side; x++) {
                    out[at + (c * side + y) * side + x] = value(px, base, s.channels(), size, plane, c, channels, y, x, side);
                }
            }
        }
    }

    /** The pixel (y, x) of channel c of the network's input. */
    private static float value(float[] px, int base, int have, int size, int plane, int c, int want, int y, int x,
                               int side) {
        if (size <= side) {
            int f = side / size;
            return channel(px, base, have, plane, c, want, (y / f) * size + x / f);
        }
        int f = size / side;
        double sum = 0;
        for (int dy = 0; dy < f; dy++) {
            for (int dx = 0; dx < f; dx++) {
                sum += channel(px, base, have, plane, c, want, (y * f + dy) * size + x * f + dx);
            }
        }
        return (float) (sum / (f * f));
    }

    private static float channel(float[] px, int base, int have, int plane, int c, int want, int offset) {
        if (have == want) {
            return px[base + c * plane + offset];
        }
        if (want == 1) {
            float s = 0;
            for (int k = 0; k < have; k++) {
                s += px[base + k * plane + offset];
            }
            return s / have;
        }
        return px[base + Math.min(c, have - 1) * plane + offset];
    }
}
