package mdm.eval.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import mdm.api.MdmException;
import mdm.api.eval.Features;
import mdm.core.random.HostRandom;
import mdm.core.tensor.NativeArrays;
import mdm.core.tensor.Scalars;

/**
 * Kernel distance (KID, Bińkowski et al. 2018): the unbiased estimate of MMD² with the polynomial
 * kernel k(x, y) = (x·y/d + 1)³,
 * Σ_{i≠j} k(x_i, x_j)/(m(m−1)) + Σ_{i≠j} k(y_i, y_j)/(n(n−1)) − 2 Σ k(x_i, y_j)/(mn).
 * Reported on the whole sets and as mean ± standard deviation over random subsets (1,000 vectors,
 * 100 subsets, drawn without replacement within a subset, as the common tools do).
 */
public final class KernelDistance {
    public static final int SUBSET_SIZE = 1000;
    public static final int SUBSETS = 100;

    public record Result(double exact, double subsetMean, double subsetStd, int subsetSize) {
    }

    private KernelDistance() {
    }

    public static Result compute(Features real, Features generated, long seed, NDManager manager) {
        Vectors.sameDim(real, generated);
        if (real.count() < 2 || generated.count() < 2) {
            throw new MdmException("KID needs at least 2 vectors on each side, got " + real.count() + " and "
                    + generated.count());
        }
        try (NDManager m = manager.newSubManager();
             Vectors x = new Vectors(real, "real", m); Vectors y = new Vectors(generated, "generated", m)) {
            double exact = mmd2(x, y);
            int size = Math.min(SUBSET_SIZE, Math.min(x.n, y.n));
            HostRandom random = new HostRandom(seed).fork("kid-subsets");
            double[] values = new double[SUBSETS];
            // subsets go through the engine several at a time (batched products): few calls, bounded memory
            int chunk = Math.max(1, Math.min(SUBSETS, (1 << 23) / (size * size)));
            for (int s0 = 0; s0 < SUBSETS; s0 += chunk) {
                int c = Math.min(chunk, SUBSETS - s0);
                int[] xi = new int[c * size];
                int[] yi = new int[c * size];
                for (int k = 0; k < c; k++) {
                    System.arraycopy(random.permutation(x.n), 0, xi, k * size, size);
                    System.arraycopy(random.permutation(y.n), 0, yi, k * size, size);
                }
                try (NDManager sub = m.newSubManager()) {
                    NDArray xs = x.x.get(NativeArrays.create(sub, xi)).reshape(c, size, x.d);
                    NDArray ys = y.x.get(NativeArrays.create(sub, yi)).reshape(c, size, y.d);
                    double[] v = subsetMmd2(xs, ys, x.d, c, size);
                    System.arraycopy(v, 0, values, s0, c);
                }
            }
            double mean = 0;
            for (double v : values) {
                mean += v;
            }
            mean /= SUBSETS;
            double var = 0;
            for (double v : values) {
                var += (v - mean) * (v - mean);
            }
            return new Result(exact, mean, Math.sqrt(var / SUBSETS), size);
        }
    }

    /** The unbiased MMD² of the whole sets, in row blocks so that memory stays bounded. */
    static double mmd2(Vectors x, Vectors y) {
        double xx = kernelSum(x, x) - diagonal(x);
        double yy = kernelSum(y, y) - diagonal(y);
        double xy = kernelSum(x, y);
        return xx / ((double) x.n * (x.n - 1)) + yy / ((double) y.n * (y.n - 1)) - 2 * xy / ((double) x.n * y.n);
    }

    /** Σ_ij k(a_i, b_j). */
    private static double kernelSum(Vectors a, Vectors b) {
        double sum = 0;
        int block = Vectors.blockRows(b.n);
        NDArray bt = b.x.transpose();
        for (int from = 0; from < a.n; from += block) {
            int to = Math.min(a.n, from + block);
            try (NDManager m = a.x.getManager().newSubManager()) {
                NDArray rows = a.rows(from, to);
                rows.attach(m);
                NDArray k = kernel(rows.matMul(bt), a.d);
                sum += k.sum().toType(DataType.FLOAT64, false).getDouble();
            }
        }
        bt.close();
        return sum;
    }

    /** Σ_i k(x_i, x_i), from the exact norms. */
    private static double diagonal(Vectors x) {
        double s = 0;
        for (double n2 : x.hostNorms) {
            double v = n2 / x.d + 1;
            s += v * v * v;
        }
        return s;
    }

    /** (dots/d + 1)³, overwriting {@code dots} (each product matrix is used once): fewer passes over memory. */
    private static NDArray kernel(NDArray dots, int d) {
        NDManager m = dots.getManager();
        dots.divi(Scalars.of(m, d)).addi(Scalars.of(m, 1.0));
        return dots.mul(dots).muli(dots);
    }

    /** MMD² of c subset pairs (c, m, d) at once. */
    private static double[] subsetMmd2(NDArray x, NDArray y, int d, int c, int m) {
        double[] kxx = blockSums(kernel(x.batchMatMul(x.transpose(0, 2, 1)), d), c, (long) m * m);
        double[] kyy = blockSums(kernel(y.batchMatMul(y.transpose(0, 2, 1)), d), c, (long) m * m);
        double[] kxy = blockSums(kernel(x.batchMatMul(y.transpose(0, 2, 1)), d), c, (long) m * m);
        double[] xSelf = blockSums(kernel(x.square().sum(new int[] {2}), d), c, m);
        double[] ySelf = blockSums(kernel(y.square().sum(new int[] {2}), d), c, m);
        double[] out = new double[c];
        for (int k = 0; k < c; k++) {
            out[k] = (kxx[k] - xSelf[k]) / (m * (m - 1.0)) + (kyy[k] - ySelf[k]) / (m * (m - 1.0))
                    - 2 * kxy[k] / ((double) m * m);
        }
        return out;
    }

    private static double[] blockSums(NDArray a, int c, long per) {
        return a.reshape(c, per).sum(new int[] {1}).toDoubleArray();
    }

}
