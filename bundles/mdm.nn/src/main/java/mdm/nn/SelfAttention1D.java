package mdm.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import mdm.core.tensor.Attention;

/**
 * Multi-head self-attention over a token sequence (ml-mdm {@code SelfAttention1D}):
 * {@code x + proj_out(attention(qkv(LayerNorm(x))))} with a zero-initialised projection. The last
 * axis of qkv splits into q|k|v and each into contiguous heads. Optional rotary position embedding
 * on q and k. Names: {@code norm, qkv, proj_out}.
 */
public final class SelfAttention1D {
    private final long channels;
    private final int heads;
    private final NormLayer norm;
    private final LinearLayer qkv;
    private final LinearLayer projOut;
    private final RotaryEmbedding rotary;

    /**
     * @param heads  number of heads ({@code channels / num_head_channels} or 8)
     * @param rotary apply rotary position embedding to q and k
     */
    public SelfAttention1D(Params p, long channels, int heads, boolean rotary) {
        if (channels % heads != 0) {
            throw new IllegalArgumentException(p.path() + ": " + channels + " channels are not divisible into " + heads + " heads");
        }
        this.channels = channels;
        this.heads = heads;
        this.norm = new NormLayer(p.child("norm"), channels);
        this.qkv = new LinearLayer(p.child("qkv"), channels, 3 * channels, true, false);
        this.projOut = new LinearLayer(p.child("proj_out"), channels, channels, true, true);
        this.rotary = rotary ? new RotaryEmbedding((int) (channels / heads)) : null;
    }

    /**
     * @param x    (B, L, C)
     * @param bias null, or a key-mask logit bias (B, 1, 1, L) from {@link mdm.core.tensor.Attention#maskBias}
     */
    public NDArray forward(NDArray x, NDArray bias) {
        Shape s = x.getShape();
        long b = s.get(0);
        long len = s.get(1);
        long d = channels / heads;
        NDArray normed = norm.layerNorm(x);
        NDArray qkvOut = qkv.forward(normed);
        normed.close();
        NDList parts = qkvOut.split(3, 2);
        NDArray q = parts.get(0).reshape(b, len, heads, d);
        NDArray k = parts.get(1).reshape(b, len, heads, d);
        NDArray v = parts.get(2).reshape(b, len, heads, d);
        parts.close();
        if (rotary != null) {
            q = rotary.rotate(q);
            k = rotary.rotate(k);
        }
        NDArray h = Attention.tokenMajor(q, k, v, bias).reshape(b, len, channels);
        NDArray proj = projOut.forward(h);
        h.close();
        NDArray out = x.add(proj);
        proj.close();
        return out;
    }
}
