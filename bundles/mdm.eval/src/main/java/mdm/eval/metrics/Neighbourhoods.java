package mdm.eval.metrics;

import ai.djl.ndarray.NDManager;
import java.util.Arrays;
import java.util.stream.IntStream;
import mdm.api.MdmException;
import mdm.api.eval.Features;

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
 * <p>Distances come from float64 matrix products (|a|² + |b|² − 2a·b) in row blocks, folded on the
 * host: neighbours by partial selection, the four figures from one pass over the cross distances. A comparison
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
        // a few candidates beyond k: the product formula's round-off may reorder near-equal neighbours
        Candidates near = new Candidates(v.n, Math.min(v.n, kMax + 4));
        // the distances are symmetric: only the products above the diagonal, each offered to both its row and its column
        DotBlocks.upper(v, (from, to, colFrom, dots) -> {
            int cols = v.n - from;
            IntStream.range(from, to).parallel().forEach(i -> {
                int row = (i - from) * cols - from;
                for (int j = i; j < v.n; j++) {
                    near.offer(i, v.hostNorms[j] - 2 * dots[row + j], j);
                }
            });
            int chunk = 256;
            IntStream.range(0, (cols + chunk - 1) / chunk).parallel().forEach(c -> {
                int j0 = from + c * chunk;
                int j1 = Math.min(v.n, j0 + chunk);
                for (int i = from; i < Math.min(to, j1 - 1); i++) {
                    int row = (i - from) * cols - from;
                    double ni = v.hostNorms[i];
                    for (int j = Math.max(j0, i + 1); j < j1; j++) {
                        near.offer(j, ni - 2 * dots[row + j], i);
                    }
                }
            });
        });
        double[][] out = new double[ks.length][v.n];
        IntStream.range(0, v.n).parallel().forEach(i -> {
            double[] exact = new double[near.k];
            for (int c = 0; c < near.k; c++) {
                exact[c] = Vectors.squaredDistance(v, i, v, near.index[i * near.k + c]);
            }
            Arrays.sort(exact);
            for (int q = 0; q < ks.length; q++) {
                out[q][i] = exact[ks[q]]; // index 0 is the vector itself
            }
        });
        return out;
    }

    /**
     * The k nearest candidates of every vector by partial selection: per vector an insertion list
     * ordered by |v_j|² − 2 v_i·v_j (|v_i|² is the same for the whole list), so almost every offer is
     * rejected by one comparison with the list's worst entry. One thread per vector at a time.
     */
    private static final class Candidates {
        final int k;
        final double[] key;
        final int[] index;
        final int[] filled;
        final double[] worst;

        Candidates(int n, int k) {
            this.k = k;
            this.key = new double[n * k];
            this.index = new int[n * k];
            this.filled = new int[n];
            this.worst = new double[n];
            Arrays.fill(worst, Double.POSITIVE_INFINITY);
        }

        void offer(int owner, double v, int j) {
            if (v >= worst[owner]) {
                return;
            }
            int base = owner * k;
            int f = filled[owner];
            int p = Math.min(f, k - 1);
            while (p > 0 && key[base + p - 1] > v) {
                key[base + p] = key[base + p - 1];
                index[base + p] = index[base + p - 1];
                p--;
            }
            key[base + p] = v;
            index[base + p] = j;
            if (f < k) {
                filled[owner] = ++f;
            }
            if (f == k) {
                worst[owner] = key[base + k - 1];
            }
        }
    }

    /**
     * One pass over the generated × real distances decides all four figures. Each pair is tested
     * against three balls — the real vector's k = kPr ball (precision), its k = kDc ball (density,
     * coverage) and the generated vector's k = kPr ball (recall) — from the product formula; a pair
     * within the formula's round-off of a ball's edge is decided from its exact distance.
     */
    private static Result cross(Vectors r, Vectors g, double[] rhoPr, double[] rhoDc, double[] rhoGen, int kDc) {
        // round-off of the product formula is below ~1e-13 of the norms; anything within this margin is re-checked
        double margin = 1e-9 * (r.maxNorm() + g.maxNorm() + 1e-30);
        boolean[] precise = new boolean[g.n];
        long[] inside = new long[g.n];
        // per generated vector, which real balls it reaches: folded into recall/coverage after each block in order
        boolean[] recalled = new boolean[r.n];
        boolean[] covered = new boolean[r.n];
        DotBlocks.all(g, r, (from, to, colFrom, dots) -> {
            int rows = to - from;
            boolean[][] recalledBy = new boolean[rows][];
            boolean[][] coveredBy = new boolean[rows][];
            IntStream.range(from, to).parallel().forEach(j -> {
                int row = (j - from) * r.n;
                double gn = g.hostNorms[j];
                double rhoJ = rhoGen[j];
                boolean p = false;
                long count = 0;
                boolean[] rec = null;
                boolean[] cov = null;
                for (int i = 0; i < r.n; i++) {
                    double dist = gn + r.hostNorms[i] - 2 * dots[row + i];
                    double lo = dist - margin;
                    double hi = dist + margin;
                    // the exact distance, only for the pairs that need it
                    double exact = Double.NaN;
                    if (!p && lo <= rhoPr[i]) {
                        if (hi <= rhoPr[i]) {
                            p = true;
                        } else {
                            exact = Vectors.squaredDistance(g, j, r, i);
                            p = exact <= rhoPr[i];
                        }
                    }
                    if (lo <= rhoDc[i]) {
                        boolean in;
                        if (hi <= rhoDc[i]) {
                            in = true;
                        } else {
                            if (Double.isNaN(exact)) {
                                exact = Vectors.squaredDistance(g, j, r, i);
                            }
                            in = exact <= rhoDc[i];
                        }
                        if (in) {
                            count++;
                            if (cov == null) {
                                cov = new boolean[r.n];
                            }
                            cov[i] = true;
                        }
                    }
                    if (lo <= rhoJ) {
                        boolean in;
                        if (hi <= rhoJ) {
                            in = true;
                        } else {
                            if (Double.isNaN(exact)) {
                                exact = Vectors.squaredDistance(g, j, r, i);
                            }
                            in = exact <= rhoJ;
                        }
                        if (in) {
                            if (rec == null) {
                                rec = new boolean[r.n];
                            }
                            rec[i] = true;
                        }
                    }
                }
                precise[j] = p;
                inside[j] = count;
                recalledBy[j - from] = rec;
                coveredBy[j - from] = cov;
            });
            for (int q = 0; q < rows; q++) {
                or(recalled, recalledBy[q]);
                or(covered, coveredBy[q]);
            }
        });
        long densityCount = 0;
        for (long c : inside) {
            densityCount += c;
        }
        return new Result(share(precise), share(recalled), densityCount / ((double) kDc * g.n), share(covered));
    }

    private static void or(boolean[] into, boolean[] from) {
        if (from != null) {
            for (int i = 0; i < into.length; i++) {
                into[i] |= from[i];
            }
        }
    }

    private static double share(boolean[] flags) {
        int n = 0;
        for (boolean f : flags) {
            n += f ? 1 : 0;
        }
        return (double) n / flags.length;
    }
}
