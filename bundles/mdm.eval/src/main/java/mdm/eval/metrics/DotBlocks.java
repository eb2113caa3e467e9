package mdm.eval.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * Dot products a_i·b_j of two vector sets, row block by row block: each block is one float64
 * matrix product on the tensor engine (its BLAS, all cores), copied to the host where the metric
 * folds it in one pass (kernel sums, neighbour selection, ball tests) — fewer passes over memory
 * than chains of tensor operations, and no n × n matrix is ever held.
 */
final class DotBlocks {
    /** Doubles per block (32 MB): large enough for an efficient product, small enough for the caches' sake. */
    static final int BLOCK_ELEMENTS = 1 << 22;

    /** Receives rows [from, to) of a against columns [colFrom, b.n) of b, row-major, {@code (to − from) × (b.n − colFrom)}. */
    interface Consumer {
        void block(int from, int to, int colFrom, double[] dots);
    }

    private DotBlocks() {
    }

    /** Every row of a against every row of b. */
    static void all(Vectors a, Vectors b, Consumer consumer) {
        run(a, b, false, consumer);
    }

    /**
     * The upper triangle of a·aᵀ: rows [from, to) against columns [from, n) only; the consumer
     * folds what lies below the diagonal by symmetry. Half the products of {@link #all}.
     */
    static void upper(Vectors a, Consumer consumer) {
        run(a, a, true, consumer);
    }

    private static void run(Vectors a, Vectors b, boolean upper, Consumer consumer) {
        int block = Math.max(1, Math.min(a.n, BLOCK_ELEMENTS / Math.max(1, b.n)));
        NDManager parent = a.x.getManager();
        try (NDManager keep = parent.newSubManager()) {
            NDArray bt = b.x.transpose();
            bt.attach(keep);
            for (int from = 0; from < a.n; from += block) {
                int to = Math.min(a.n, from + block);
                int colFrom = upper ? from : 0;
                double[] dots;
                try (NDManager m = keep.newSubManager()) {
                    NDArray rows = a.rows(from, to);
                    rows.attach(m);
                    NDArray cols = colFrom == 0 ? bt : bt.get(":, " + colFrom + ":");
                    if (cols != bt) {
                        cols.attach(m);
                    }
                    NDArray product = rows.matMul(cols);
                    product.attach(m);
                    dots = product.toDoubleArray();
                }
                consumer.block(from, to, colFrom, dots);
            }
        }
    }
}
