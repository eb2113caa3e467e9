package mdm.conditioner.text.t5;

/**
 * The HF T5 encoder equations in plain double loops (modeling_t5: T5LayerNorm, T5Attention with
 * _relative_position_bucket, T5DenseActDense / T5DenseGatedActDense), written independently of
 * the tensor code under test.
 */
final class T5Reference {
    private final TinyT5 m;

    T5Reference(TinyT5 m) {
        this.m = m;
    }

    /** Last hidden state for one sequence; mask[j] = false removes key j. */
    double[][] encode(int[] ids, boolean[] mask) {
        int n = ids.length;
        int d = m.dModel;
        double[][] x = new double[n][d];
        double[] emb = m.weights.get("shared.weight");
        for (int i = 0; i < n; i++) {
            System.arraycopy(emb, ids[i] * d, x[i], 0, d);
        }
        double[] relBias = m.weights.get("encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight");
        for (int layer = 0; layer < m.layers; layer++) {
            String b = "encoder.block." + layer + ".layer.";
            double[][] h = rms(x, m.weights.get(b + "0.layer_norm.weight"));
            double[][] q = linear(h, b + "0.SelfAttention.q.weight");
            double[][] k = linear(h, b + "0.SelfAttention.k.weight");
            double[][] v = linear(h, b + "0.SelfAttention.v.weight");
            double[][] att = new double[n][m.heads * m.dKv];
            for (int head = 0; head < m.heads; head++) {
                for (int i = 0; i < n; i++) {
                    double[] logits = new double[n];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < n; j++) {
                        double s = 0;
                        for (int c = 0; c < m.dKv; c++) {
                            s += q[i][head * m.dKv + c] * k[j][head * m.dKv + c];
                        }
                        s += relBias[bucket(j - i) * m.heads + head];
                        logits[j] = mask[j] ? s : Double.NEGATIVE_INFINITY;
                        max = Math.max(max, logits[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j < n; j++) {
                        logits[j] = Math.exp(logits[j] - max);
                        sum += logits[j];
                    }
                    for (int j = 0; j < n; j++) {
                        for (int c = 0; c < m.dKv; c++) {
                            att[i][head * m.dKv + c] += logits[j] / sum * v[j][head * m.dKv + c];
                        }
                    }
                }
            }
            add(x, linear(att, b + "0.SelfAttention.o.weight"));
            h = rms(x, m.weights.get(b + "1.layer_norm.weight"));
            double[][] up;
            if (m.gated()) {
                up = linear(h, b + "1.DenseReluDense.wi_0.weight");
                double[][] lin = linear(h, b + "1.DenseReluDense.wi_1.weight");
                for (int i = 0; i < n; i++) {
                    for (int c = 0; c < m.dFf; c++) {
                        up[i][c] = act(up[i][c]) * lin[i][c];
                    }
                }
            } else {
                up = linear(h, b + "1.DenseReluDense.wi.weight");
                for (double[] row : up) {
                    for (int c = 0; c < row.length; c++) {
                        row[c] = act(row[c]);
                    }
                }
            }
            add(x, linear(up, b + "1.DenseReluDense.wo.weight"));
        }
        return rms(x, m.weights.get("encoder.final_layer_norm.weight"));
    }

    /** _relative_position_bucket(memory − query, bidirectional=True), in double precision. */
    int bucket(int relative) {
        int nb = m.buckets / 2;
        int ret = relative > 0 ? nb : 0;
        int dist = Math.abs(relative);
        int maxExact = nb / 2;
        if (dist < maxExact) {
            return ret + dist;
        }
        int large = maxExact + (int) (Math.log((double) dist / maxExact) / Math.log((double) m.maxDistance / maxExact)
                * (nb - maxExact));
        return ret + Math.min(large, nb - 1);
    }

    private double act(double x) {
        return switch (m.feedForwardProj) {
            case "relu" -> Math.max(0, x);
            case "gated-gelu" -> 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
            default -> throw new IllegalArgumentException(m.feedForwardProj);
        };
    }

    private double[][] rms(double[][] x, double[] w) {
        double[][] out = new double[x.length][x[0].length];
        for (int i = 0; i < x.length; i++) {
            double ms = 0;
            for (double v : x[i]) {
                ms += v * v;
            }
            double inv = 1 / Math.sqrt(ms / x[i].length + m.eps);
            for (int c = 0; c < x[i].length; c++) {
                out[i][c] = x[i][c] * inv * w[c];
            }
        }
        return out;
    }

    /** x · Wᵀ with W (out, in) as stored. */
    private double[][] linear(double[][] x, String key) {
        double[] w = m.weights.get(key);
        int outDim = m.shapes.get(key)[0];
        int inDim = m.shapes.get(key)[1];
        double[][] out = new double[x.length][outDim];
        for (int i = 0; i < x.length; i++) {
            for (int o = 0; o < outDim; o++) {
                double s = 0;
                for (int c = 0; c < inDim; c++) {
                    s += x[i][c] * w[o * inDim + c];
                }
                out[i][o] = s;
            }
        }
        return out;
    }

    private static void add(double[][] x, double[][] y) {
        for (int i = 0; i < x.length; i++) {
            for (int c = 0; c < x[i].length; c++) {
                x[i][c] += y[i][c];
            }
        }
    }
}
