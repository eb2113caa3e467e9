package mdm.api.data;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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

    /**
     * A conditioner's batch output (tokens B×L×D, mask B×L) as one embedding per row, without the batch padding:
     * each row up to its last real token (a caption's row ends in a real token, {@code </s>} or the last piece
     * kept by a length cap, so trailing zeros of the mask are padding).
     */
    public static List<CaptionEmbedding> rows(NDArray tokens, NDArray mask, EmbeddingOrigin origin) {
        int b = Math.toIntExact(tokens.getShape().get(0));
        int len = Math.toIntExact(tokens.getShape().get(1));
        int d = Math.toIntExact(tokens.getShape().get(2));
        float[] features = tokens.toFloatArray();
        float[] m = mask.toFloatArray();
        List<CaptionEmbedding> out = new ArrayList<>(b);
        for (int i = 0; i < b; i++) {
            int n = len;
            while (n > 0 && m[i * len + n - 1] == 0f) {
                n--;
            }
            out.add(new CaptionEmbedding(Arrays.copyOfRange(features, i * len * d, (i * len + n) * d),
                    Arrays.copyOfRange(m, i * len, i * len + n), d, origin));
        }
        return out;
    }
}
