package mdm.eval.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import mdm.api.MdmException;
import mdm.api.eval.Features;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;

/**
 * Fréchet distance between Gaussians fitted to two feature sets (Heusel et al. 2017):
 * |μa − μb|² + Tr(Σa + Σb − 2(ΣaΣb)^½), covariances with n − 1.
 *
 * <p>Tr((ΣaΣb)^½) is computed as Σ√λ over the eigenvalues λ of the symmetric PSD matrix
 * Σa^½ Σb Σa^½, which has the same eigenvalues as ΣaΣb. Both eigen problems are symmetric, so they
 * stay exact when a covariance is singular (fewer samples than dimensions), where a general
 * square root of the non-symmetric product is unstable; round-off negatives are clipped to 0.
 */
public final class FrechetDistance {
    private FrechetDistance() {
    }

    public static double compute(Features a, Features b, NDManager manager) {
        Vectors.sameDim(a, b);
        if (a.count() < 2 || b.count() < 2) {
            throw new MdmException("the Fréchet distance needs at least 2 vectors on each side (covariances with n − 1), got "
                    + a.count() + " and " + b.count());
        }
        try (NDManager m = manager.newSubManager();
             Vectors va = new Vectors(a, "real", m); Vectors vb = new Vectors(b, "generated", m)) {
            Moments ma = moments(va);
            Moments mb = moments(vb);
            double meanTerm = 0;
            for (int i = 0; i < ma.mean.length; i++) {
                double t = ma.mean[i] - mb.mean[i];
                meanTerm += t * t;
            }
            double trace = CommonOps_DDRM.trace(ma.cov) + CommonOps_DDRM.trace(mb.cov);
            return meanTerm + trace - 2 * traceSqrtProduct(ma.cov, mb.cov);
        }
    }

    record Moments(double[] mean, DMatrixRMaj cov) {
    }

    /** Mean and unbiased covariance; the product of the centred matrix with itself runs on the engine in float64. */
    static Moments moments(Vectors v) {
        try (NDArray mean = v.x.mean(new int[] {0}); NDArray centred = v.x.sub(mean);
             NDArray gram = centred.transpose().matMul(centred)) {
            double[] mu = mean.toDoubleArray();
            double[] g = gram.toDoubleArray();
            DMatrixRMaj cov = new DMatrixRMaj(v.d, v.d, true, g);
            CommonOps_DDRM.scale(1.0 / (v.n - 1), cov);
            symmetrize(cov);
            return new Moments(mu, cov);
        }
    }

    /** Tr((AB)^½) for symmetric PSD A, B. */
    static double traceSqrtProduct(DMatrixRMaj a, DMatrixRMaj b) {
        DMatrixRMaj rootA = symmetricSqrt(a);
        DMatrixRMaj tmp = new DMatrixRMaj(a.numRows, a.numCols);
        DMatrixRMaj m = new DMatrixRMaj(a.numRows, a.numCols);
        CommonOps_DDRM.mult(rootA, b, tmp);
        CommonOps_DDRM.mult(tmp, rootA, m);
        symmetrize(m);
        double sum = 0;
        for (double lambda : eigenvalues(m, false).values) {
            sum += Math.sqrt(Math.max(lambda, 0));
        }
        return sum;
    }

    /** V·diag(√max(λ, 0))·Vᵀ. */
    static DMatrixRMaj symmetricSqrt(DMatrixRMaj s) {
        Eigen e = eigenvalues(s, true);
        int n = s.numRows;
        DMatrixRMaj scaled = new DMatrixRMaj(n, n);
        for (int k = 0; k < n; k++) {
            double r = Math.sqrt(Math.max(e.values[k], 0));
            DMatrixRMaj v = e.vectors[k];
            for (int i = 0; i < n; i++) {
                scaled.set(i, k, v.get(i) * r);
            }
        }
        DMatrixRMaj vectors = new DMatrixRMaj(n, n);
        for (int k = 0; k < n; k++) {
            for (int i = 0; i < n; i++) {
                vectors.set(i, k, e.vectors[k].get(i));
            }
        }
        DMatrixRMaj out = new DMatrixRMaj(n, n);
        CommonOps_DDRM.multTransB(scaled, vectors, out);
        symmetrize(out);
        return out;
    }

    private record Eigen(double[] values, DMatrixRMaj[] vectors) {
    }

    private static Eigen eigenvalues(DMatrixRMaj s, boolean vectors) {
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(s.numRows, vectors, true);
        if (!eig.decompose(s.copy())) {
            throw new MdmException("the eigen decomposition of a " + s.numRows + "² covariance did not converge");
        }
        int n = eig.getNumberOfEigenvalues();
        double[] values = new double[n];
        DMatrixRMaj[] vecs = new DMatrixRMaj[n];
        for (int k = 0; k < n; k++) {
            values[k] = eig.getEigenvalue(k).getReal();
            if (vectors) {
                vecs[k] = eig.getEigenVector(k);
            }
        }
        return new Eigen(values, vecs);
    }

    private static void symmetrize(DMatrixRMaj m) {
        int n = m.numRows;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                double v = 0.5 * (m.get(i, j) + m.get(j, i));
                m.set(i, j, v);
                m.set(j, i, v);
            }
        }
    }
}
