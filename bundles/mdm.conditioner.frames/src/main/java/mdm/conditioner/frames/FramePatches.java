package mdm.conditioner.frames;

import java.util.Arrays;
import java.util.List;
import mdm.api.MdmException;
import mdm.api.data.Sample;

/**
 * Cuts the conditioning frames of samples into patches on the host: per sample, per chosen frame,
 * a grid × grid raster of patches, each patch's pixels in (channel, row, column) order.
 */
public final class FramePatches {
    private final int[] frames;
    private final int grid;
    private final int channels;
    private final int size;

    /**
     * @param frames   which frames of a clip condition the model (e.g. {0}: the first)
     * @param grid     patches per side
     * @param channels channels per frame
     * @param size     frame height and width
     */
    public FramePatches(int[] frames, int grid, int channels, int size) {
        if (size % grid != 0) {
            throw new MdmException("frames conditioner: grid " + grid + " does not divide the frame size " + size
                    + "; choose a grid that divides it (e.g. " + Math.max(1, size / 8) + ").");
        }
        this.frames = frames.clone();
        this.grid = grid;
        this.channels = channels;
        this.size = size;
    }

    /** Tokens per sample: chosen frames × grid². */
    public int tokens() {
        return frames.length * grid * grid;
    }

    /** Values per patch: channels × patch². */
    public int patchValues() {
        int p = size / grid;
        return channels * p * p;
    }

    /**
     * Patches of the batch, (B, tokens, patchValues) row-major. Samples where {@code skip[i]} holds
     * are left zero (they take the null token and need no pixels).
     */
    public float[] extract(List<Sample> batch, boolean[] skip) {
        int p = size / grid;
        int perSample = tokens() * patchValues();
        float[] out = new float[batch.size() * perSample];
        for (int b = 0; b < batch.size(); b++) {
            if (skip != null && skip[b]) {
                continue;
            }
            Sample s = batch.get(b);
            int[] source = sourceFrames(s);
            int frameValues = channels * size * size;
            for (int f = 0; f < source.length; f++) {
                int frameStart = source[f] * frameValues;
                for (int gy = 0; gy < grid; gy++) {
                    for (int gx = 0; gx < grid; gx++) {
                        int token = (f * grid + gy) * grid + gx;
                        int at = b * perSample + token * patchValues();
                        for (int c = 0; c < channels; c++) {
                            for (int y = 0; y < p; y++) {
                                int row = frameStart + (c * size + gy * p + y) * size + gx * p;
                                System.arraycopy(s.pixels(), row, out, at, p);
                                at += p;
                            }
                        }
                    }
                }
            }
        }
        return out;
    }

    /**
     * Where the chosen frames are in this sample: a whole clip is indexed; a sample carrying exactly
     * as many frames as are chosen (a condition given for sampling) is used in order.
     */
    private int[] sourceFrames(Sample s) {
        String name = s.id() == null ? "a sample" : "sample '" + s.id() + "'";
        if (s.pixels() == null) {
            throw new MdmException(name + " has no frames; the frames conditioner conditions on frames "
                    + Arrays.toString(frames) + " of each clip (for sampling, pass those frames as the condition).");
        }
        if (s.channels() != channels || s.height() != size || s.width() != size) {
            throw new MdmException(name + " has frames of " + s.channels() + "×" + s.height() + "×" + s.width()
                    + " but the conditioner was built for " + channels + "×" + size + "×" + size + ".");
        }
        int last = Arrays.stream(frames).max().orElse(0);
        if (s.frames() > last) {
            return frames;
        }
        if (s.frames() == frames.length) {
            int[] inOrder = new int[frames.length];
            Arrays.setAll(inOrder, i -> i);
            return inOrder;
        }
        throw new MdmException(name + " has " + s.frames() + " frames; the conditioner needs frame " + last
                + " of a clip, or exactly " + frames.length + " given frame(s).");
    }
}
