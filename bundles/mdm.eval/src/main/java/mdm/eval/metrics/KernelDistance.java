package mdm.eval.metrics;

import ai.djl.ndarray.NDManager;
import java.util.Arrays;
import java.util.stream.IntStream;
import mdm.api.MdmException;
import mdm.api.eval.Features;
import mdm.core.random.HostRandom;

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
            int size = Math.min(SUBSET_SIZE, Math.min(x.n, y.n));
            HostRandom random = new HostRandom(seed).fork("kid-subsets");
            int[][] xs = new int[SUBSETS][];
            int[][] ys = new int[SUBSETS][];
            for (int s = 0; s < SUBSETS; s++) {
                xs[s] = firstSorted(random.permutation(x.n), size);
                ys[s] = firstSorted(random.permutation(y.n), size);
            }
            // one pass over each kernel matrix serves the whole sets and all 100 subsets
            Sums xx = new Sums(x.n, xs);
            DotBlocks.upper(x, (from, to, colFrom, dots) -> xx.foldUpper(from, to, colFrom, x.n, dots, x.d));
            Sums yy = new Sums(y.n, ys);
            DotBlocks.upper(y, (from, to, colFrom, dots) -> yy.foldUpper(from, to, colFrom, y.n, dots, y.d));
            Sums xy = new Sums(x.n, xs);
            DotBlocks.all(x, y, (from, to, colFrom, dots) -> xy.foldCross(from, to, y.n, dots, x.d, ys));
            double exact = mmd2(xx.whole, yy.whole, xy.whole, x.n, y.n);
            double[] values = new double[SUBSETS];
            double mean = 0;
            for (int s = 0; s < SUBSETS; s++) {
                values[s] = mmd2(xx.subsets[s], yy.subsets[s], xy.subsets[s], size, size);
                mean += values[s];
            }
            mean /= SUBSETS;
            double var = 0;
            for (double v : values) {
                var += (v - mean) * (v - mean);
            }
            return new Result(exact, mean, Math.sqrt(var / SUBSETS), size);
        }
    }

    /**
     * Unbiased MMD² from Σ_{i≠j} k(x_i, x_j), Σ_{i≠j} k(y_i, y_j), Σ k(x_i, y_j).
     */
    private static double mmd2(double xx, double yy, double xy, int m, int n) {
        return xx / ((double) m * (m - 1)) + yy / ((double) n * (n - 1)) - 2 * xy / ((double) m * n);
    }

    /** The first {@code size} entries of a permutation (a draw without replacement), sorted. */
    private static int[] firstSorted(int[] permutation, int size) {
        int[] out = Arrays.copyOf(permutation, size);
        Arrays.sort(out);
        return out;
    }

    /**
     * Kernel sums of one matrix (xx, yy or xy) over the whole sets and over each subset, folded block
     * by block. Rows are folded in parallel into per-row sums and subsets in parallel one task per
     * subset, then added in a fixed order: the result does not depend on the thread count.
     */
    private static final class Sums {
        final double[] rowSums;
        final int[][] rowSubsets;
        final double[] subsets = new double[SUBSETS];
        double whole;

        Sums(int n, int[][] rowSubsets) {
            this.rowSums = new double[n];
            this.rowSubsets = rowSubsets;
        }

        /** Rows [from, to) × columns [from, n) of a Gram matrix: the pairs i < j, counted twice. */
        void foldUpper(int from, int to, int colFrom, int n, double[] dots, int d) {
            int cols = n - colFrom;
            double scale = 1.0 / d;
            IntStream.range(from, to).parallel().forEach(i -> {
                int row = (i - from) * cols;
                double s = 0;
                for (int c = i + 1 - colFrom; c < cols; c++) {
                    double t = dots[row + c] * scale + 1;
                    double k = t * t * t;
                    dots[row + c] = k;
                    s += k;
                }
                rowSums[i] = 2 * s;
            });
            finish(from, to);
            IntStream.range(0, SUBSETS).parallel().forEach(s -> {
                int[] members = rowSubsets[s];
                double sum = 0;
                for (int p = firstAtLeast(members, from); p < members.length && members[p] < to; p++) {
                    int row = (members[p] - from) * cols - colFrom;
                    for (int q = p + 1; q < members.length; q++) {
                        sum += dots[row + members[q]];
                    }
                }
                subsets[s] += 2 * sum;
            });
        }

        /** Rows [from, to) of x against all of y. */
        void foldCross(int from, int to, int n, double[] dots, int d, int[][] columnSubsets) {
            double scale = 1.0 / d;
            IntStream.range(from, to).parallel().forEach(i -> {
                int row = (i - from) * n;
                double s = 0;
                for (int c = 0; c < n; c++) {
                    double t = dots[row + c] * scale + 1;
                    double k = t * t * t;
                    dots[row + c] = k;
                    s += k;
                }
                rowSums[i] = s;
            });
            finish(from, to);
            IntStream.range(0, SUBSETS).parallel().forEach(s -> {
                int[] members = rowSubsets[s];
                int[] columns = columnSubsets[s];
                double sum = 0;
                for (int p = firstAtLeast(members, from); p < members.length && members[p] < to; p++) {
                    int row = (members[p] - from) * n;
                    for (int j : columns) {
                        sum += dots[row + j];
                    }
                }
                subsets[s] += sum;
            });
        }

        private void finish(int from, int to) {
            for (int i = from; i < to; i++) {
                whole += rowSums[i];
            }
        }

        private static int firstAtLeast(int[] sorted, int value) {
            int p = Arrays.binarySearch(sorted, value);
            return p >= 0 ? p : -p - 1;
        }
    }
}
