package mdm.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.norm.Dropout;
import mdm.core.tensor.Activations;

/**
 * The ResNet block with FiLM time conditioning (ml-mdm {@code ResNet}):
 * <pre>
 * h = conv1(SiLU(GN(x)));  (a, b) = time_layer(SiLU(temb)) split in halves
 * h = conv2_zero(Dropout(SiLU(GN(h)·(1 + a) + b)));  out = h + (conv3_1x1(x) if C_in ≠ C_out else x)
 * </pre>
 * GroupNorm's affine and the scale-shift are applied as one multiply-add. When the feature batch
 * is a multiple of the embedding batch (video tiles), each sample's a and b are repeated.
 */
public final class ResNet {
    private final String path;
    private final int groups;
    private final double dropout;
    private final long outChannels;
    private final NormLayer norm1;
    private final ConvLayer conv1;
    private final LinearLayer timeLayer;
    private final NormLayer norm2;
    private final ConvLayer conv2;
    private final ConvLayer conv3;

    public ResNet(Params p, long in, long out, int temporalDim, int groups, double dropout) {
        if (in % groups != 0 || out % groups != 0) {
            throw new IllegalArgumentException(p.path() + ": channels " + in + "→" + out
                    + " are not divisible by num_groups_norm " + groups);
        }
        this.path = p.path();
        this.groups = groups;
        this.dropout = dropout;
        this.outChannels = out;
        this.norm1 = new NormLayer(p.child("norm1"), in);
        this.conv1 = ConvLayer.conv2d(p.child("conv1"), in, out, 3, 1, false);
        this.timeLayer = new LinearLayer(p.child("time_layer"), temporalDim, 2 * out, true, false);
        this.norm2 = new NormLayer(p.child("norm2"), out);
        this.conv2 = ConvLayer.conv2d(p.child("conv2"), out, out, 3, 1, true);
        this.conv3 = in != out ? ConvLayer.conv2d(p.child("conv3"), in, out, 1, 1, false) : null;
    }

    /**
     * @param x         (N, C_in, H, W)
     * @param tembSilu  SiLU(temb), (B, temporal_dim) with N a multiple of B
     */
    public NDArray forward(Forward f, NDArray x, NDArray tembSilu) {
        NDArray n1 = norm1.groupNorm(x, groups);
        NDArray a1 = Activations.silu(n1);
        n1.close();
        NDArray h = conv1.forward(a1);
        a1.close();
        NDArray film = timeLayer.forward(tembSilu);
        long repeat = h.getShape().get(0) / film.getShape().get(0);
        if (repeat > 1) {
            NDArray r = film.repeat(0, repeat);
            film.close();
            film = r;
        }
        NDList ab = film.split(2, 1);
        NDArray n2 = norm2.groupNormScaleShift(h, groups, ab.get(0), ab.get(1));
        h.close();
        ab.close();
        film.close();
        NDArray a2 = Activations.silu(n2);
        n2.close();
        if (f.training() && dropout > 0) {
            NDArray d = Dropout.dropout(a2, (float) dropout, true).singletonOrThrow();
            a2.close();
            a2 = d;
        }
        NDArray h2 = conv2.forward(a2);
        a2.close();
        NDArray out;
        if (conv3 != null) {
            NDArray skip = conv3.forward(x);
            out = h2.add(skip);
            skip.close();
        } else {
            out = h2.add(x);
        }
        h2.close();
        return f.record(path, out);
    }

    public long outChannels() {
        return outChannels;
    }
}
