package mdm.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import java.util.Arrays;
import java.util.List;
import mdm.api.eval.Features;
import mdm.core.random.HostRandom;
import mdm.core.runtime.EngineRuntime;
import mdm.eval.metrics.KernelDistance;
import mdm.eval.metrics.Neighbourhoods;
import org.junit.jupiter.api.Test;
import mdm.core.fixtures.EngineExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The blocked metrics (several row blocks, KID's subsets folded from the whole-set kernel pass,
 * neighbours by partial selection) against plain double loops over every pair, on sets large
 * enough for several blocks, with duplicated vectors so that ties on a ball's edge occur.
 */
class BlockedMetricsTest {
    static EngineRuntime runtime;

    @RegisterExtension
    static final EngineExtension ENGINE = new EngineExtension(r -> runtime = r);

    @Test
    void kidSubsetsAndWholeSetsMatchPlainLoops() {
        Features x = features(2300, 12, 1, 0.0, 0);
        Features y = features(1700, 12, 2, 0.2, 0);
        KernelDistance.Result r;
        try (NDManager m = runtime.newManager()) {
            r = KernelDistance.compute(x, y, 7, m);
        }
        assertEquals(mmd2(x, all(x.count()), y, all(y.count())), r.exact(), 1e-9, "exact");
        HostRandom random = new HostRandom(7).fork("kid-subsets");
        double[] values = new double[KernelDistance.SUBSETS];
        for (int s = 0; s < values.length; s++) {
            int[] xs = Arrays.copyOf(random.permutation(x.count()), KernelDistance.SUBSET_SIZE);
            int[] ys = Arrays.copyOf(random.permutation(y.count()), KernelDistance.SUBSET_SIZE);
            values[s] = mmd2(x, xs, y, ys);
        }
        double mean = Arrays.stream(values).average().orElseThrow();
        double var = Arrays.stream(values).map(v -> (v - mean) * (v - mean)).sum() / values.length;
        assertEquals(mean, r.subsetMean(), 1e-9, "subset mean");
        assertEquals(Math.sqrt(var), r.subsetStd(), 1e-9, "subset std");
    }

    @Test
    void neighbourhoodsMatchPlainLoops() {
        // 300 generated vectors copied from real ones: distances of exactly 0 and radii shared by both sides
        Features real = features(2600, 6, 3, 0.0, 0);
        Features gen = features(1500, 6, 4, 0.1, 300, real);
        Neighbourhoods.Result got;
        try (NDManager m = runtime.newManager()) {
            got = Neighbourhoods.compute(real, gen, 3, 5, m);
        }
        double[] rPr = radius(real, 3);
        double[] rDc = radius(real, 5);
        double[] gPr = radius(gen, 3);
        int precise = 0;
        long inside = 0;
        boolean[] recalled = new boolean[real.count()];
        boolean[] covered = new boolean[real.count()];
        for (int j = 0; j < gen.count(); j++) {
            boolean p = false;
            for (int i = 0; i < real.count(); i++) {
                double d = dist(gen, j, real, i);
                p |= d <= rPr[i];
                if (d <= rDc[i]) {
                    inside++;
                    covered[i] = true;
                }
                recalled[i] |= d <= gPr[j];
            }
            precise += p ? 1 : 0;
        }
        assertEquals((double) precise / gen.count(), got.precision(), 1e-12, "precision");
        assertEquals(share(recalled), got.recall(), 1e-12, "recall");
        assertEquals(inside / (5.0 * gen.count()), got.density(), 1e-12, "density");
        assertEquals(share(covered), got.coverage(), 1e-12, "coverage");
    }

    private static Features features(int n, int d, long seed, double shift, int copies, Features... from) {
        float[] v = new HostRandom(seed).normal(n * d);
        for (int i = 0; i < v.length; i++) {
            v[i] = Math.max(0, v[i] + (float) shift);
        }
        for (int c = 0; c < copies; c++) {
            System.arraycopy(from[0].values(), c * 5 * d, v, c * d, d);
        }
        return new Features("test", "-", n, d, v, List.of());
    }

    private static int[] all(int n) {
        int[] a = new int[n];
        Arrays.setAll(a, i -> i);
        return a;
    }

    private static double k(Features a, int i, Features b, int j) {
        int d = a.dim();
        double dot = 0;
        for (int q = 0; q < d; q++) {
            dot += (double) a.values()[i * d + q] * b.values()[j * d + q];
        }
        double t = dot / d + 1;
        return t * t * t;
    }

    private static double mmd2(Features x, int[] xs, Features y, int[] ys) {
        double xx = 0;
        double yy = 0;
        double xy = 0;
        for (int i : xs) {
            for (int j : xs) {
                xx += i == j ? 0 : k(x, i, x, j);
            }
            for (int j : ys) {
                xy += k(x, i, y, j);
            }
        }
        for (int i : ys) {
            for (int j : ys) {
                yy += i == j ? 0 : k(y, i, y, j);
            }
        }
        double m = xs.length;
        double n = ys.length;
        return xx / (m * (m - 1)) + yy / (n * (n - 1)) - 2 * xy / (m * n);
    }

    private static double dist(Features a, int i, Features b, int j) {
        int d = a.dim();
        double s = 0;
        for (int q = 0; q < d; q++) {
            double t = (double) a.values()[i * d + q] - b.values()[j * d + q];
            s += t * t;
        }
        return s;
    }

    private static double[] radius(Features f, int k) {
        double[] out = new double[f.count()];
        double[] row = new double[f.count()];
        for (int i = 0; i < f.count(); i++) {
            for (int j = 0; j < f.count(); j++) {
                row[j] = dist(f, i, f, j);
            }
            Arrays.sort(row);
            out[i] = row[k];
        }
        return out;
    }

    private static double share(boolean[] flags) {
        int n = 0;
        for (boolean f : flags) {
            n += f ? 1 : 0;
        }
        return (double) n / flags.length;
    }
}
