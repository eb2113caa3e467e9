package mdm.eval.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import mdm.api.MdmException;
import mdm.api.eval.Features;
import mdm.core.tensor.NativeArrays;

/**
 * A set of feature vectors as a float64 tensor (n × d), plus the float32 values and the exact
 * squared norms on the host for the folds and the exact re-checks. Refuses NaN and infinite values: a metric of them would be
 * NaN, which reads like a figure.
 */
final class Vectors implements AutoCloseable {
    final int n;
    final int d;
    final float[] host;
    final NDArray x;
    final double[] hostNorms;

    Vectors(Features f, String side, NDManager manager) {
        checkFinite(f, side);
        this.n = f.count();
        this.d = f.dim();
        this.host = f.values();
        try (NDArray single = NativeArrays.create(manager, host, new Shape(n, d))) {
            this.x = single.toType(DataType.FLOAT64, false);
        }
        this.hostNorms = new double[n];
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int k = 0; k < d; k++) {
                double v = host[i * d + k];
                s += v * v;
            }
            hostNorms[i] = s;
        }
    }

    /** Rows [from, to) as a view-like copy. */
    NDArray rows(int from, int to) {
        return x.get(from + ":" + to);
    }

    double maxNorm() {
        double m = 0;
        for (double v : hostNorms) {
            m = Math.max(m, v);
        }
        return m;
    }

    /** Exact squared distance between row i of a and row j of b, in double from the float32 values. */
    static double squaredDistance(Vectors a, int i, Vectors b, int j) {
        int d = a.d;
        double s = 0;
        int ai = i * d;
        int bj = j * d;
        for (int k = 0; k < d; k++) {
            double t = (double) a.host[ai + k] - b.host[bj + k];
            s += t * t;
        }
        return s;
    }

    static void checkFinite(Features f, String side) {
        float[] v = f.values();
        for (int i = 0; i < v.length; i++) {
            if (!Float.isFinite(v[i])) {
                throw new MdmException("the " + side + " features hold " + (Float.isNaN(v[i]) ? "NaN" : "an infinite value")
                        + " (vector " + i / f.dim() + " of " + f.count() + "): the images behind them are not finite"
                        + " or the feature network '" + f.network() + "' overflowed; no metric is computed from them");
            }
        }
    }

    static void sameDim(Features a, Features b) {
        if (a.dim() != b.dim()) {
            throw new MdmException("the real features have " + a.dim() + " dimensions but the generated ones "
                    + b.dim() + ": compare features of one feature network");
        }
    }

    @Override
    public void close() {
        x.close();
    }
}
