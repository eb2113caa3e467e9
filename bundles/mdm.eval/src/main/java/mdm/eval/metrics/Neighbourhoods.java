package mdm.eval.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.Arrays;
import mdm.api.MdmException;
import mdm.api.eval.Features;
import mdm.core.tensor.NativeArrays;
import mdm.core.tensor.Scalars;

/**
 * Precision and recall (Kynkäänniemi et al. 2019) and density and coverage (Naeem et al. 2020),
 * from balls around each vector whose radius is the distance to its k-th nearest neighbour in its
 * own set (itself excluded). With real vectors r, generated g, and radii ρ_k:
 * <ul>
 * <li>precision = share of g inside some real ball (k = kPr): d(g, r) ≤ ρ(r)</li>
 * <li>recall = share of r inside some generated ball (k = kPr)</li>
 * <li>density = (1 / k·M) Σ_g #{r : d(g, r) ≤ ρ(r)} (k = kDc)</li>
 * <li>coverage = share of r whose ball (k = kDc) holds some g</li>
 * </ul>
 *
 * <p>Distances come from float64 matrix products (|a|² + |b|² − 2a·b) in row blocks. A comparison
 * whose two sides differ by less than that formula's round-off is decided again from the exact
 * difference of the vectors, and radii are exact distances too, so that ties (a generated vector
 * equal to a real one, a neighbour exactly on a ball's edge) come out as they would in exact arithmetic.
 */
public final class Neighbourhoods {
    public record Result(double precision, double recall, double density, double coverage) {
    }

    private Neighbourhoods() {
    }

    public static Result compute(Features real, Features generated, int kPr, int kDc, NDManager manager) {
        Vectors.sameDim(real, generated);
        int kMax = Math.max(kPr, kDc);
        if (real.count() <= kMax || generated.count() <= kPr) {
            throw new MdmException("precision/recall (k = " + kPr + ") and density/coverage (k = " + kDc
                    + ") need more than k vectors on each side, got " + real.count() + " real and " + generated.count()
                    + " generated");
        }
        try (NDManager m = manager.newSubManager();
             Vectors r = new Vectors(real, "real", m); Vectors g = new Vectors(generated, "generated", m)) {
            double[][] realRadii = radii(r, new int[] {kPr, kDc});
            double[] genRadii = radii(g, new int[] {kPr})[0];
            return cross(r, g, realRadii[0], realRadii[1], genRadii, kDc);
        }
    }

    /** Squared distance of each vector to its k-th nearest neighbour in its own set (itself excluded), per k. */
    static double[][] radii(Vectors v, int[] ks) {
        int kMax = Arrays.stream(ks).max().orElseThrow();
        // a few candidates beyond k: the formula's round-off may reorder near-equal neighbours
        int candidates = Math.min(v.n, kMax + 4);
        double[][] out = new double[ks.length][v.n];
        int block = Vectors.blockRows(v.n);
        for (int from = 0; from < v.n; from += block) {
            int to = Math.min(v.n, from + block);
            try (NDManager m = v.x.getManager().newSubManager()) {
                NDArray d = squaredDistances(v, from, to, v, m);
                NDList top = d.topK(candidates, 1, false, false);
                long[] idx = top.get(1).toLongArray();
                double[] exact = new double[candidates];
                for (int i = from; i < to; i++) {
                    for (int c = 0; c < candidates; c++) {
                        exact[c] = Vectors.squaredDistance(v, i, v, (int) idx[(i - from) * candidates + c]);
                    }
                    Arrays.sort(exact);
                    for (int q = 0; q < ks.length; q++) {
                        out[q][i] = exact[ks[q]]; // index 0 is the vector itself
                    }
                }
            }
        }
        return out;
    }

    /** |a_i|² + |b_j|² − 2 a_i·b_j for rows [from, to) of a against all of b, in {@code m}. */
    static NDArray squaredDistances(Vectors a, int from, int to, Vectors b, NDManager m) {
        NDArray rows = a.rows(from, to);
        rows.attach(m);
        NDArray an = a.normRows(from, to);
        an.attach(m);
        NDArray dots = rows.matMul(b.x.transpose());
        return an.expandDims(1).add(b.norms.expandDims(0)).sub(Scalars.mul(dots, 2.0));
    }

    private static Result cross(Vectors r, Vectors g, double[] rhoPr, double[] rhoDc, double[] rhoGen, int kDc) {
        // round-off of the product formula is below ~1e-13 of the norms; anything within this margin is re-checked
        double margin = 1e-9 * (r.maxNorm() + g.maxNorm() + 1e-30);
        boolean[] precise = new boolean[g.n];
        long densityCount = 0;
        boolean[] recalled = new boolean[r.n];
        boolean[] covered = new boolean[r.n];
        int block = Vectors.blockRows(r.n);
        NDManager parent = r.x.getManager();
        try (NDManager c = parent.newSubManager()) {
            NDArray rhoPrRow = NativeArrays.create(c, rhoPr).expandDims(0);
            NDArray rhoDcRow = NativeArrays.create(c, rhoDc).expandDims(0);
            for (int from = 0; from < g.n; from += block) {
                int to = Math.min(g.n, from + block);
                try (NDManager m = c.newSubManager()) {
                    NDArray d = squaredDistances(g, from, to, r, m);
                    NDArray genCol = NativeArrays.create(m, Arrays.copyOfRange(rhoGen, from, to)).expandDims(1);
                    Band pr = new Band(d, rhoPrRow, margin);
                    Band dc = new Band(d, rhoDcRow, margin);
                    Band rec = new Band(d, genCol, margin);
                    long[] prRow = pr.sure.countNonzero(1).toLongArray();
                    long[] dcRow = dc.sure.countNonzero(1).toLongArray();
                    long[] dcCol = dc.sure.countNonzero(0).toLongArray();
                    long[] recCol = rec.sure.countNonzero(0).toLongArray();
                    for (int j = from; j < to; j++) {
                        precise[j] |= prRow[j - from] > 0;
                        densityCount += dcRow[j - from];
                    }
                    for (int i = 0; i < r.n; i++) {
                        covered[i] |= dcCol[i] > 0;
                        recalled[i] |= recCol[i] > 0;
                    }
                    // pairs too close to a ball's edge to trust the product formula: decide from exact distances
                    for (long[] p : pr.unsure()) {
                        int j = from + (int) p[0];
                        int i = (int) p[1];
                        precise[j] |= Vectors.squaredDistance(g, j, r, i) <= rhoPr[i];
                    }
                    for (long[] p : dc.unsure()) {
                        int j = from + (int) p[0];
                        int i = (int) p[1];
                        if (Vectors.squaredDistance(g, j, r, i) <= rhoDc[i]) {
                            densityCount++;
                            covered[i] = true;
                        }
                    }
                    for (long[] p : rec.unsure()) {
                        int j = from + (int) p[0];
                        int i = (int) p[1];
                        recalled[i] |= Vectors.squaredDistance(g, j, r, i) <= rhoGen[j];
                    }
                }
            }
        }
        return new Result(share(precise), share(recalled), densityCount / ((double) kDc * g.n), share(covered));
    }

    /** Where d ≤ ρ − margin (surely inside) and where |d − ρ| ≤ margin (to be decided exactly). */
    private static final class Band {
        final NDArray sure;
        final NDArray edge;

        Band(NDArray d, NDArray rho, double margin) {
            this.sure = d.lte(Scalars.add(rho, -margin));
            this.edge = d.lte(Scalars.add(rho, margin)).logicalXor(sure);
        }

        /** (row, column) of every pair on the edge. */
        long[][] unsure() {
            NDArray idx = edge.nonzero();
            long[] flat = idx.toLongArray();
            long[][] out = new long[flat.length / 2][];
            for (int k = 0; k < out.length; k++) {
                out[k] = new long[] {flat[2 * k], flat[2 * k + 1]};
            }
            return out;
        }
    }

    private static double share(boolean[] flags) {
        int n = 0;
        for (boolean f : flags) {
            n += f ? 1 : 0;
        }
        return (double) n / flags.length;
    }

    static NDArray asDouble(NDArray x) {
        return x.toType(DataType.FLOAT64, false);
    }
}
