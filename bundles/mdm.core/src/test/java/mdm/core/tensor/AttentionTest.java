package mdm.core.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import mdm.core.random.HostRandom;
import mdm.core.runtime.EngineRuntime;
import org.junit.jupiter.api.Test;
import mdm.core.fixtures.EngineExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Attention against softmax(qᵀk/√d)·v computed on the host, with and without a key mask. */
class AttentionTest {
    static EngineRuntime runtime;

    @RegisterExtension
    static final EngineExtension ENGINE = new EngineExtension(r -> runtime = r);

    /** Channel-major host attention: q (n, d, t), k and v (n, d, s); keys with keep[b][j] false excluded. */
    static double[] reference(float[] q, float[] k, float[] v, int n, int d, int t, int s, boolean[][] keep, int heads) {
        double[] out = new double[n * d * t];
        for (int b = 0; b < n; b++) {
            for (int i = 0; i < t; i++) {
                double[] w = new double[s];
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < s; j++) {
                    if (keep != null && !keep[b / heads][j]) {
                        w[j] = Double.NEGATIVE_INFINITY;
                        continue;
                    }
                    double dot = 0;
                    for (int c = 0; c < d; c++) {
                        dot += q[(b * d + c) * t + i] * k[(b * d + c) * s + j];
                    }
                    w[j] = dot / Math.sqrt(d);
                    max = Math.max(max, w[j]);
                }
                double sum = 0;
                for (int j = 0; j < s; j++) {
                    w[j] = Math.exp(w[j] - max);
                    sum += w[j];
                }
                for (int c = 0; c < d; c++) {
                    double acc = 0;
                    for (int j = 0; j < s; j++) {
                        acc += w[j] / sum * v[(b * d + c) * s + j];
                    }
                    out[(b * d + c) * t + i] = acc;
                }
            }
        }
        return out;
    }

    @Test
    void channelMajorWithMask() {
        HostRandom r = new HostRandom(9);
        int batch = 2;
        int heads = 2;
        int n = batch * heads;
        int d = 4;
        int t = 5;
        int s = 3;
        float[] q = r.normal(n * d * t);
        float[] k = r.normal(n * d * s);
        float[] v = r.normal(n * d * s);
        float[] mask = {1, 1, 0, 1, 0, 0};
        boolean[][] keep = {{true, true, false}, {true, false, false}};
        try (NDManager m = runtime.newManager()) {
            NDArray bias = Attention.maskBias(m.create(mask, new Shape(batch, s)), heads, true);
            assertEquals(new Shape(n, 1, s), bias.getShape());
            assertEquals(Float.NEGATIVE_INFINITY, bias.getFloat(0, 0, 2));
            assertEquals(0f, bias.getFloat(3, 0, 0));
            NDArray out = Attention.channelMajor(m.create(q, new Shape(n, d, t)), m.create(k, new Shape(n, d, s)),
                    m.create(v, new Shape(n, d, s)), bias);
            GroupNormTest.assertClose(reference(q, k, v, n, d, t, s, keep, heads), out.toFloatArray(), 1e-5);
            NDArray plain = Attention.channelMajor(m.create(q, new Shape(n, d, t)), m.create(k, new Shape(n, d, s)),
                    m.create(v, new Shape(n, d, s)), null);
            GroupNormTest.assertClose(reference(q, k, v, n, d, t, s, null, heads), plain.toFloatArray(), 1e-5);
        }
    }

    @Test
    void tokenMajorIsTheSameAttentionInAnotherLayout() {
        HostRandom r = new HostRandom(10);
        int b = 2;
        int len = 6;
        int heads = 2;
        int d = 3;
        try (NDManager m = runtime.newManager()) {
            NDArray q = m.create(r.normal(b * len * heads * d), new Shape(b, len, heads, d));
            NDArray k = m.create(r.normal(b * len * heads * d), new Shape(b, len, heads, d));
            NDArray v = m.create(r.normal(b * len * heads * d), new Shape(b, len, heads, d));
            NDArray mask = m.create(new float[] {1, 1, 1, 1, 0, 0, 1, 0, 1, 0, 1, 0}, new Shape(b, len));
            NDArray token = Attention.tokenMajor(q, k, v, Attention.maskBias(mask, 1, false));
            // (b, len, h, d) -> (b·h, d, len)
            NDArray qc = q.transpose(0, 2, 3, 1).reshape(b * heads, d, len);
            NDArray kc = k.transpose(0, 2, 3, 1).reshape(b * heads, d, len);
            NDArray vc = v.transpose(0, 2, 3, 1).reshape(b * heads, d, len);
            NDArray chan = Attention.channelMajor(qc, kc, vc, Attention.maskBias(mask, heads, true));
            NDArray back = chan.reshape(b, heads, d, len).transpose(0, 3, 1, 2);
            assertTrue(token.sub(back).abs().max().getFloat() < 1e-6);
            // a masked key changes nothing
            NDArray v2 = v.duplicate();
            v2.set(new ai.djl.ndarray.index.NDIndex("0, 4"), 100f);
            NDArray token2 = Attention.tokenMajor(q, k, v2, Attention.maskBias(mask, 1, false));
            assertEquals(0f, token.sub(token2).abs().max().getFloat());
        }
    }
}
