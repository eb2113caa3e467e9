package mdm.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import mdm.core.tensor.Resize;

/**
 * Attention across the frames (tiles) of a video sample at each pixel (ml-mdm
 * {@code TemporalAttentionBlock} with {@code down=True}): a stride-2 convolution, then
 * {@link SelfAttention1D} (head width 32) and {@link Mlp} over the frame axis per pixel, then nearest
 * ×2 upsampling and a 3×3 convolution, with a residual around the whole block. Frames are laid out
 * in the batch, sample-major: (B·T, C, H, W). Names {@code attn.*, mlp.main.*, down_conv, up_conv}.
 */
public final class TemporalAttentionBlock {
    static final int HEAD_CHANNELS = 32;

    private final String path;
    private final SelfAttention1D attn;
    private final Mlp mlp;
    private final ConvLayer downConv;
    private final ConvLayer upConv;

    public TemporalAttentionBlock(Params p, long channels, boolean rotary) {
        if (channels % HEAD_CHANNELS != 0) {
            throw new IllegalArgumentException(p.path() + ": temporal attention needs channels divisible by "
                    + HEAD_CHANNELS + ", got " + channels);
        }
        this.path = p.path();
        this.attn = new SelfAttention1D(p.child("attn"), channels, (int) (channels / HEAD_CHANNELS), rotary);
        this.mlp = new Mlp(p.child("mlp"), channels, 4);
        this.downConv = ConvLayer.conv2d(p.child("down_conv"), channels, channels, 3, 2, false);
        this.upConv = ConvLayer.conv2d(p.child("up_conv"), channels, channels, 3, 1, false);
    }

    /**
     * @param x       (B·T, C, H, W), H and W even
     * @param samples B, the number of video samples
     */
    public NDArray forward(Forward f, NDArray x, long samples) {
        NDArray down = downConv.forward(x);
        Shape s = down.getShape();
        long frames = s.get(0) / samples;
        long c = s.get(1);
        long h = s.get(2);
        long w = s.get(3);
        NDArray seq = down.reshape(samples, frames, c, h, w).transpose(0, 3, 4, 1, 2).reshape(samples * h * w, frames, c);
        down.close();
        NDArray a = attn.forward(seq, null);
        NDArray m = mlp.forward(a);
        a.close();
        NDArray back = m.reshape(samples, h, w, frames, c).transpose(0, 3, 4, 1, 2).reshape(samples * frames, c, h, w);
        m.close();
        NDArray up = upConv.forward(Resize.nearest2x(back));
        back.close();
        NDArray out = up.add(x);
        up.close();
        return f.record(path, out);
    }
}
