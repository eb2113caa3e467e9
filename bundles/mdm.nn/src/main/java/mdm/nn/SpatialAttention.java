package mdm.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import mdm.core.tensor.Activations;
import mdm.core.tensor.Attention;

/**
 * The UNet's attention block (ml-mdm {@code SelfAttention}): multi-head self-attention over the
 * pixels of a feature map plus, when built with a conditioning width, cross-attention from the same
 * queries to the text tokens; the two are separate softmaxes whose outputs are summed. Then a
 * zero-initialised 1×1 projection with a residual, and optionally a GELU feed-forward block.
 * Its GroupNorms always have 32 groups; it has 8 heads.
 */
public final class SpatialAttention {
    static final int HEADS = 8;
    static final int NORM_GROUPS = 32;

    private final String path;
    private final long channels;
    private final NormLayer norm;
    private final ConvLayer qkv;
    private final NormLayer normCond;
    private final LinearLayer kvCond;
    private final ConvLayer projOut;
    private final NormLayer ffnNorm;
    private final ConvLayer ffnUp;
    private final ConvLayer ffnDown;

    /**
     * @param condDim width of the conditioning tokens; ≤ 0 for self-attention only
     * @param ffn     add the feed-forward block ({@code use_attention_ffn})
     */
    public SpatialAttention(Params p, long channels, long condDim, boolean ffn) {
        if (channels % NORM_GROUPS != 0) {
            // ml-mdm fixes these GroupNorms at 32 groups whatever resnet_config.num_groups_norm says
            throw new IllegalArgumentException(p.path() + ": attention over " + channels + " channels: its GroupNorm "
                    + "has " + NORM_GROUPS + " groups (as in ml-mdm), so the level's channels must be a multiple of "
                    + NORM_GROUPS + "; change resolution_channels or remove the attention at this level");
        }
        this.path = p.path();
        this.channels = channels;
        this.norm = new NormLayer(p.child("norm"), channels);
        this.qkv = ConvLayer.conv2d(p.child("qkv"), channels, 3 * channels, 1, 1, false);
        if (condDim > 0) {
            this.normCond = new NormLayer(p.child("norm_cond"), condDim);
            this.kvCond = new LinearLayer(p.child("kv_cond"), condDim, 2 * channels, true, false);
        } else {
            this.normCond = null;
            this.kvCond = null;
        }
        this.projOut = ConvLayer.conv2d(p.child("proj_out"), channels, channels, 1, 1, true);
        if (ffn) {
            Params f = p.child("ffn");
            this.ffnNorm = new NormLayer(f.child(0), channels);
            this.ffnUp = ConvLayer.conv2d(f.child(1), channels, 4 * channels, 1, 1, false);
            this.ffnDown = ConvLayer.conv2d(f.child(3), 4 * channels, channels, 1, 1, true);
        } else {
            this.ffnNorm = null;
            this.ffnUp = null;
            this.ffnDown = null;
        }
    }

    /** Whether this block attends to text tokens. */
    public boolean crossAttends() {
        return kvCond != null;
    }

    /**
     * @param x     (N, C, H, W); N may be a multiple of the token batch (video tiles)
     * @param cross the tokens, required when {@link #crossAttends()}
     */
    public NDArray forward(Forward f, NDArray x, CrossInput cross) {
        Shape s = x.getShape();
        long n = s.get(0);
        long hw = s.size() / n / channels;
        long d = channels / HEADS;
        NDArray normed = norm.groupNorm(x, NORM_GROUPS);
        NDArray qkvOut = qkv.forward(normed);
        normed.close();
        NDList parts = qkvOut.reshape(n, 3 * channels, hw).split(3, 1);
        NDArray q = parts.get(0).reshape(n * HEADS, d, hw);
        NDArray k = parts.get(1).reshape(n * HEADS, d, hw);
        NDArray v = parts.get(2).reshape(n * HEADS, d, hw);
        parts.close();
        qkvOut.close();
        NDArray h = Attention.channelMajor(q, k, v, null);
        k.close();
        v.close();
        if (kvCond != null) {
            if (cross == null) {
                throw new IllegalStateException(path + " cross-attends but no conditioning tokens were given");
            }
            NDArray tokens = cross.tokens();
            long repeat = n / tokens.getShape().get(0);
            NDArray kv = kvCond.forward(normCond.layerNorm(tokens));
            if (repeat > 1) {
                kv = kv.repeat(0, repeat);
            }
            long len = kv.getShape().get(1);
            NDList kvParts = kv.transpose(0, 2, 1).split(2, 1);
            NDArray kc = kvParts.get(0).reshape(n * HEADS, d, len);
            NDArray vc = kvParts.get(1).reshape(n * HEADS, d, len);
            NDArray hc = Attention.channelMajor(q, kc, vc, cross.channelMajorBias(HEADS, repeat));
            NDArray sum = h.add(hc);
            h.close();
            hc.close();
            h = sum;
        }
        q.close();
        NDArray proj = projOut.forward(h.reshape(s));
        h.close();
        NDArray out = x.add(proj);
        proj.close();
        if (ffnNorm != null) {
            NDArray a = ffnUp.forward(ffnNorm.groupNorm(out, NORM_GROUPS));
            NDArray g = Activations.gelu(a);
            a.close();
            NDArray down = ffnDown.forward(g);
            g.close();
            NDArray withFfn = out.add(down);
            down.close();
            out.close();
            out = withFfn;
        }
        return f.record(path, out);
    }
}
