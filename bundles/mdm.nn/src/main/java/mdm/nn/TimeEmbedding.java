package mdm.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import mdm.core.tensor.Activations;
import mdm.core.tensor.Scalars;

/**
 * The time embedding MLP (ml-mdm {@code create_temporal_embedding}): a sinusoid of the raw value
 * (sin first, {@code temporal_dim/8} frequencies exp(−ln(10⁴)·k/half)), then
 * {@code layer2(SiLU(layer1(·)))}, width {@code temporal_dim}. The same shape of MLP embeds each
 * micro-conditioning value.
 */
public final class TimeEmbedding {
    private final int temporalDim;
    private final LinearLayer layer1;
    private final LinearLayer layer2;

    /**
     * @param layer1    scope of the first linear (e.g. {@code temb_layer1} or {@code cond_layers.scale.0})
     * @param layer2    scope of the second linear
     * @param zeroLast  zero-initialise the second linear (micro-conditioning)
     */
    public TimeEmbedding(Params layer1, Params layer2, int temporalDim, boolean zeroLast) {
        this.temporalDim = temporalDim;
        this.layer1 = new LinearLayer(layer1, temporalDim / 4, temporalDim, true, false);
        this.layer2 = new LinearLayer(layer2, temporalDim, temporalDim, true, zeroLast);
    }

    /** @param values (B) any numeric type; the embedding (B, temporal_dim) */
    public NDArray forward(NDArray values) {
        NDArray s = sinusoid(values, temporalDim);
        NDArray h = layer1.forward(s);
        NDArray a = Activations.silu(h);
        NDArray out = layer2.forward(a);
        s.close();
        h.close();
        a.close();
        return out;
    }

    public String outputPath() {
        return layer2.path();
    }

    /**
     * {@code concat(sin(v·f), cos(v·f))}, zero-padded to {@code temporalDim/4}, in fp32 with the
     * frequencies computed by the engine exactly as the reference's buffer.
     */
    public static NDArray sinusoid(NDArray values, int temporalDim) {
        NDManager m = values.getManager();
        int half = temporalDim / 8;
        int width = temporalDim / 4;
        NDArray v = values.toType(DataType.FLOAT32, false).reshape(-1, 1);
        long b = v.getShape().get(0);
        NDArray freqs = m.arange(0, half, 1, DataType.FLOAT32)
                .mul(Scalars.of(m, (float) -(Math.log(10000) / half))).exp().reshape(1, half);
        NDArray arg = v.mul(freqs);
        NDArray emb = arg.sin().concat(arg.cos(), 1);
        if (2 * half < width) {
            emb = emb.concat(m.zeros(new Shape(b, width - 2L * half), DataType.FLOAT32), 1);
        }
        return emb;
    }
}
