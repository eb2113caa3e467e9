package mdm.api.data;

import java.util.Objects;

/**
 * A caption's precomputed conditioner output: one row of token features (L×D, row-major) with its mask
 * (L values, 1 for a real token, 0 for a {@code <pad>} id inside the caption), without batch padding. Made by
 * a frozen conditioner; a conditioner uses it instead of encoding the caption only when {@code origin} is its
 * own ({@link EmbeddingOrigin#requireUsable}); condition dropout still replaces it with the unconditional
 * input.
 *
 * @param features L×D floats, row-major
 * @param mask     L floats, 1 or 0
 * @param dim      D, the conditioner's feature width
 * @param origin   who made it
 */
public record CaptionEmbedding(float[] features, float[] mask, int dim, EmbeddingOrigin origin) {
    public CaptionEmbedding {
        Objects.requireNonNull(features, "features");
        Objects.requireNonNull(mask, "mask");
        Objects.requireNonNull(origin, "origin");
        if (dim < 1 || features.length != (long) mask.length * dim) {
            throw new IllegalArgumentException("a caption embedding of " + mask.length + " tokens × " + dim
                    + " features needs " + (long) mask.length * dim + " values, got " + features.length);
        }
    }

    /** L, the number of tokens. */
    public int length() {
        return mask.length;
    }
}
