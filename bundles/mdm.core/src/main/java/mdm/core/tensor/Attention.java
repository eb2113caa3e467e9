package mdm.core.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Scaled dot-product attention (DJL has no fused kernel), in the two layouts the UNet uses:
 * channel-major (heads·batch, d, length), as a 1×1-conv attention block produces it, and
 * token-major (batch, length, heads, d), as a linear layer on token sequences produces it.
 * The logits are scaled by 1/√d and soft-maxed in fp32 over keys.
 */
public final class Attention {
    private Attention() {
    }

    /**
     * Channel-major attention.
     *
     * @param q    (N, d, T) queries
     * @param k    (N, d, S) keys
     * @param v    (N, d, S) values
     * @param bias null or an additive logit bias broadcastable to (N, T, S), e.g. from {@link #maskBias}
     * @return (N, d, T)
     */
    public static NDArray channelMajor(NDArray q, NDArray k, NDArray v, NDArray bias) {
        long n = q.getShape().get(0);
        long chunk = chunk(n, q.getShape().get(2) * k.getShape().get(2));
        if (chunk >= n) {
            return channelMajorBlock(q, k, v, bias);
        }
        NDList parts = new NDList();
        for (long start = 0; start < n; start += chunk) {
            String rows = start + ":" + Math.min(n, start + chunk);
            NDArray b = bias == null ? null : bias.getShape().get(0) == 1 ? bias : bias.get(rows);
            parts.add(channelMajorBlock(q.get(rows), k.get(rows), v.get(rows), b));
        }
        NDArray out = NDArrays.concat(parts, 0);
        parts.close();
        return out;
    }

    private static NDArray channelMajorBlock(NDArray q, NDArray k, NDArray v, NDArray bias) {
        long d = q.getShape().get(1);
        NDArray qs = q.mul(Scalars.of(q.getManager(), 1.0 / Math.sqrt(d)));
        NDArray qt = qs.transpose(0, 2, 1);
        NDArray logits = qt.matMul(k);
        FlopCount.matMul(qt, logits);
        qs.close();
        qt.close();
        NDArray weights = softmax(logits, bias);
        // (T, S)·(S, d) keeps the weights' gradient contiguous (a transposed use would make softmax's backward copy it)
        NDArray vt = v.transpose(0, 2, 1);
        NDArray outT = weights.matMul(vt);
        FlopCount.matMul(weights, outT);
        weights.close();
        vt.close();
        NDArray out = outT.transpose(0, 2, 1);
        outT.close();
        return out;
    }

    /**
     * Rows of (batch·heads) per block, so that one block's (T, S) weights stay in the last-level
     * cache between the logits product, the softmax and the value product (and their gradients).
     */
    static long chunk(long rows, long perRow) {
        long budget = Long.getLong("mdm.attention.blockFloats", 1L << 20);
        return Math.max(1, Math.min(rows, budget / Math.max(1, perRow)));
    }

    /**
     * Token-major attention.
     *
     * @param q    (B, T, H, d)
     * @param k    (B, S, H, d)
     * @param v    (B, S, H, d)
     * @param bias null or an additive logit bias broadcastable to (B, H, T, S)
     * @return (B, T, H, d)
     */
    public static NDArray tokenMajor(NDArray q, NDArray k, NDArray v, NDArray bias) {
        long d = q.getShape().get(3);
        NDArray qh = q.mul(Scalars.of(q.getManager(), 1.0 / Math.sqrt(d))).transpose(0, 2, 1, 3);
        NDArray kt = k.transpose(0, 2, 3, 1);
        NDArray logits = qh.matMul(kt);
        FlopCount.matMul(qh, logits);
        qh.close();
        kt.close();
        NDArray weights = softmax(logits, bias);
        NDArray vh = v.transpose(0, 2, 1, 3);
        NDArray out = weights.matMul(vh);
        FlopCount.matMul(weights, out);
        weights.close();
        vh.close();
        NDArray result = out.transpose(0, 2, 1, 3);
        out.close();
        return result;
    }

    /**
     * An additive bias that removes masked key positions: 0 where {@code mask} (B, S) is non-zero,
     * −∞ where it is zero; shaped (B·heads, 1, S) for channel-major attention (heads folded into
     * the batch, sample-major) or (B, 1, 1, S) for token-major. It is a constant: build it once per
     * forward and share it between layers.
     */
    public static NDArray maskBias(NDArray mask, int heads, boolean channelMajor) {
        NDManager m = mask.getManager();
        Shape s = mask.getShape();
        try (NDArray none = m.zeros(new Shape(), mask.getDataType())) {
            NDArray keep = mask.neq(none);
            NDArray open = m.zeros(s, DataType.FLOAT32);
            NDArray closed = m.full(s, Float.NEGATIVE_INFINITY, DataType.FLOAT32);
            NDArray bias = NDArrays.where(keep, open, closed);
            keep.close();
            open.close();
            closed.close();
            if (channelMajor) {
                return bias.reshape(s.get(0), 1, s.get(1)).repeat(0, heads);
            }
            return bias.reshape(s.get(0), 1, 1, s.get(1));
        }
    }

    private static NDArray softmax(NDArray logits, NDArray bias) {
        if (bias == null) {
            NDArray w = logits.softmax(-1);
            logits.close();
            return w;
        }
        NDArray biased = logits.add(bias);
        logits.close();
        NDArray w = biased.softmax(-1);
        biased.close();
        return w;
    }
}
