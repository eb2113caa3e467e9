package mdm.api.data;

/**
 * One training example: pixels in [-1, 1], laid out frames × channels × height × width
 * (frames = 1 for images), an optional class label (−1 if none), an optional caption (null if none) and,
 * optionally, the caption's embedding precomputed by a frozen conditioner (null if none).
 */
public record Sample(float[] pixels, int frames, int channels, int height, int width, int label, String caption, String id,
                     CaptionEmbedding captionEmbedding) {
    public Sample {
        if (pixels != null && pixels.length != (long) frames * channels * height * width) {
            throw new IllegalArgumentException("pixels hold " + pixels.length + " values, expected "
                    + frames + "×" + channels + "×" + height + "×" + width);
        }
    }

    /** A sample without a precomputed caption embedding. */
    public Sample(float[] pixels, int frames, int channels, int height, int width, int label, String caption, String id) {
        this(pixels, frames, channels, height, width, label, caption, id, null);
    }

    /** A sample that only carries a condition (for sampling from a label or a prompt). */
    public static Sample condition(int label, String caption) {
        return new Sample(null, 0, 0, 0, 0, label, caption, null);
    }

    /** This sample with {@code embedding} as its precomputed caption embedding (null: none). */
    public Sample withCaptionEmbedding(CaptionEmbedding embedding) {
        return new Sample(pixels, frames, channels, height, width, label, caption, id, embedding);
    }

    public boolean hasLabel() {
        return label >= 0;
    }
}
