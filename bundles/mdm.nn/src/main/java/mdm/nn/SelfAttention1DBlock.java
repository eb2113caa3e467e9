package mdm.nn;

import ai.djl.ndarray.NDArray;

/**
 * A transformer block over token sequences: {@link SelfAttention1D} then {@link Mlp} (ml-mdm
 * {@code SelfAttention1DBlock}, names {@code attn.*}, {@code mlp.main.*}). The UNet's text head
 * ({@code lm_head}) stacks these; a small learned text encoder can too.
 */
public final class SelfAttention1DBlock {
    private final SelfAttention1D attn;
    private final Mlp mlp;
    private final String path;

    /** 8 heads and an MLP of width 4·C, as in ml-mdm. */
    public SelfAttention1DBlock(Params p, long channels) {
        this(p, channels, 8, 4);
    }

    public SelfAttention1DBlock(Params p, long channels, int heads, int mlpMultiplier) {
        this.path = p.path();
        this.attn = new SelfAttention1D(p.child("attn"), channels, heads, false);
        this.mlp = new Mlp(p.child("mlp"), channels, mlpMultiplier);
    }

    /**
     * @param x    (B, L, C)
     * @param mask null, or (B, L) with 0 at key positions to ignore
     */
    public NDArray forward(NDArray x, NDArray mask) {
        NDArray bias = mask == null ? null : mdm.core.tensor.Attention.maskBias(mask, 1, false);
        return forwardWithBias(x, bias);
    }

    /** As {@link #forward} with a prepared (B, 1, 1, L) logit bias (shared between layers). */
    public NDArray forwardWithBias(NDArray x, NDArray bias) {
        NDArray a = attn.forward(x, bias);
        NDArray out = mlp.forward(a);
        a.close();
        return out;
    }

    public String path() {
        return path;
    }
}
