package mdm.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import mdm.core.tensor.Resize;

/**
 * One resolution stage of the UNet (ml-mdm {@code ResNetBlock}): R ResNets, after each its
 * attention blocks (index i·L + j) and, when configured, its temporal attention blocks; then an
 * optional down- or up-sampler. Every ResNet output (after its attention) and the resampled output
 * are recorded as skip activations. In an up stage each ResNet first concatenates one skip
 * ({@code [x, skip]} along channels).
 *
 * <p>Resamplers: down is a 3×3 stride-2 convolution, up is nearest ×2 then a 3×3 convolution. In
 * temporal mode (video, not {@code temporal_spatial_ds}) both work along the frame axis instead: a
 * kernel-3 Conv1d over frames at every pixel (stride 2 down; nearest ×2 along frames then stride 1 up).
 */
public final class ResNetStage {
    /** Which resampler follows the stage. */
    public enum Resample { NONE, DOWN, UP }

    /** Per-ResNet settings of a stage. */
    public record ResNetSpec(long in, long out, int groups, double dropout, boolean attentionFfn) {
    }

    private final String path;
    private final List<ResNet> resnets = new ArrayList<>();
    private final List<SpatialAttention> attn = new ArrayList<>();
    private final List<TemporalAttentionBlock> temporalAttn = new ArrayList<>();
    private final int attentionLayers;
    private final int temporalLayers;
    private final Resample resample;
    private final boolean temporalResample;
    private final ConvLayer resampler;

    /**
     * @param condDim           token width for cross-attention in this stage's attention blocks, ≤ 0 for none
     * @param temporalResample  resample over frames (Conv1d) instead of space
     * @param temporalLayers    temporal attention blocks after each ResNet (0 for none)
     */
    public ResNetStage(Params p, int temporalDim, List<ResNetSpec> specs, int attentionLayers, long condDim,
            Resample resample, boolean temporalResample, int temporalLayers, boolean temporalRotary) {
        this.path = p.path();
        this.attentionLayers = attentionLayers;
        this.temporalLayers = temporalLayers;
        this.resample = resample;
        this.temporalResample = temporalResample;
        Params rp = p.child("resnets");
        for (int i = 0; i < specs.size(); i++) {
            ResNetSpec s = specs.get(i);
            resnets.add(new ResNet(rp.child(i), s.in(), s.out(), temporalDim, s.groups(), s.dropout()));
        }
        if (attentionLayers > 0) {
            Params ap = p.child("attn");
            for (int i = 0; i < specs.size(); i++) {
                for (int j = 0; j < attentionLayers; j++) {
                    ResNetSpec s = specs.get(i);
                    attn.add(new SpatialAttention(ap.child(i * attentionLayers + j), s.out(), condDim, s.attentionFfn()));
                }
            }
        }
        if (temporalLayers > 0) {
            Params tp = p.child("t_attn");
            for (int i = 0; i < specs.size(); i++) {
                for (int j = 0; j < temporalLayers; j++) {
                    temporalAttn.add(new TemporalAttentionBlock(tp.child(i * temporalLayers + j), specs.get(i).out(),
                            temporalRotary));
                }
            }
        }
        long c = specs.get(specs.size() - 1).out();
        int dims = temporalResample ? 1 : 2;
        this.resampler = switch (resample) {
            case DOWN -> new ConvLayer(p.child("resample"), dims, c, c, 3, 2, false);
            case UP -> new ConvLayer(p.child("resample"), dims, c, c, 3, 1, false);
            case NONE -> null;
        };
    }

    /** The stage's output and its skip activations (ResNet outputs, then the resampled output). */
    public record Output(NDArray x, List<NDArray> activations) {
    }

    /**
     * @param x        (N, C, H, W), N = samples·frames
     * @param tembSilu SiLU(temb) (samples, temporal_dim)
     * @param skips    for an up stage, its skip inputs most recent first (consumed); null for down/mid
     * @param cross    tokens for cross-attention (null if none)
     */
    public Output forward(Forward f, NDArray x, NDArray tembSilu, Deque<NDArray> skips, CrossInput cross) {
        List<NDArray> activations = new ArrayList<>();
        long samples = tembSilu.getShape().get(0);
        for (int i = 0; i < resnets.size(); i++) {
            NDArray in = x;
            if (skips != null) {
                in = x.concat(skips.removeFirst(), 1);
            }
            x = resnets.get(i).forward(f, in, tembSilu);
            for (int j = 0; j < attentionLayers; j++) {
                x = attn.get(i * attentionLayers + j).forward(f, x, cross);
            }
            for (int j = 0; j < temporalLayers; j++) {
                x = temporalAttn.get(i * temporalLayers + j).forward(f, x, samples);
            }
            activations.add(x);
        }
        if (resampler != null) {
            x = temporalResample ? resampleFrames(x, samples) : resampleSpace(x);
            activations.add(x);
        }
        f.record(path, x);
        return new Output(x, activations);
    }

    private NDArray resampleSpace(NDArray x) {
        if (resample == Resample.UP) {
            NDArray up = Resize.nearest2x(x);
            NDArray y = resampler.forward(up);
            up.close();
            return y;
        }
        return resampler.forward(x);
    }

    /** (S·T, C, H, W) → (S·H·W, C, T) → Conv1d over T → back; the frames of a sample are consecutive. */
    private NDArray resampleFrames(NDArray x, long samples) {
        Shape s = x.getShape();
        long frames = s.get(0) / samples;
        long c = s.get(1);
        long h = s.get(2);
        long w = s.get(3);
        NDArray seq = x.reshape(samples, frames, c, h, w).transpose(0, 3, 4, 2, 1).reshape(samples * h * w, c, frames);
        if (resample == Resample.UP) {
            NDArray up = Resize.nearest2x(seq);
            seq.close();
            seq = up;
        }
        NDArray y = resampler.forward(seq);
        seq.close();
        long outFrames = y.getShape().get(2);
        NDArray back = y.reshape(samples, h, w, c, outFrames).transpose(0, 4, 3, 1, 2).reshape(samples * outFrames, c, h, w);
        y.close();
        return back;
    }

    public String path() {
        return path;
    }

}
