package mdm.nn;

import ai.djl.ndarray.NDArray;
import java.util.HashMap;
import java.util.Map;
import mdm.core.tensor.Attention;

/**
 * What cross-attention attends to: the processed token features (B, L, D) and, when masked
 * cross-attention is on, their mask (B, L). The additive logit biases are built once per forward
 * and shared by every attention layer.
 */
public final class CrossInput {
    private final NDArray tokens;
    private final NDArray mask;
    private final Map<Long, NDArray> biases = new HashMap<>();

    public CrossInput(NDArray tokens, NDArray mask) {
        this.tokens = tokens;
        this.mask = mask;
    }

    public NDArray tokens() {
        return tokens;
    }

    /** The mask, or null when every position is attended. */
    public NDArray mask() {
        return mask;
    }

    public long batch() {
        return tokens.getShape().get(0);
    }

    /** The first {@code n} samples (the high-resolution part of a mixed batch). */
    public CrossInput head(long n) {
        if (n == batch()) {
            return this;
        }
        NDArray t = tokens.get("0:" + n);
        NDArray m = mask == null ? null : mask.get("0:" + n);
        return new CrossInput(t, m);
    }

    /**
     * The channel-major logit bias for {@code heads} heads, with each sample repeated
     * {@code repeat} times along the batch (video tiles share their sample's text); null when unmasked.
     */
    NDArray channelMajorBias(int heads, long repeat) {
        if (mask == null) {
            return null;
        }
        long key = heads * 1_000_003L + repeat;
        return biases.computeIfAbsent(key, k -> {
            NDArray m = repeat == 1 ? mask : mask.repeat(0, repeat);
            return Attention.maskBias(m, heads, true);
        });
    }

    /** The token-major logit bias (B, 1, 1, L); null when unmasked. */
    NDArray tokenMajorBias() {
        if (mask == null) {
            return null;
        }
        return biases.computeIfAbsent(-1L, k -> Attention.maskBias(mask, 1, false));
    }
}
