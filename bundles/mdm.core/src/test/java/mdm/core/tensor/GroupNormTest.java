package mdm.core.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import mdm.core.random.HostRandom;
import mdm.core.runtime.EngineRuntime;
import org.junit.jupiter.api.Test;
import mdm.core.fixtures.EngineExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/** GroupNorm against its definition, computed in double on the host. */
class GroupNormTest {
    static EngineRuntime runtime;

    @RegisterExtension
    static final EngineExtension ENGINE = new EngineExtension(r -> runtime = r);

    /** (x − mean_g) / sqrt(var_g + eps) · γ_c + β_c, biased variance over each group's channels and pixels. */
    static double[] reference(float[] x, int n, int c, int hw, int groups, float[] gamma, float[] beta) {
        double[] out = new double[x.length];
        int per = c / groups;
        for (int b = 0; b < n; b++) {
            for (int g = 0; g < groups; g++) {
                int start = (b * c + g * per) * hw;
                int len = per * hw;
                double mean = 0;
                for (int i = 0; i < len; i++) {
                    mean += x[start + i];
                }
                mean /= len;
                double var = 0;
                for (int i = 0; i < len; i++) {
                    var += (x[start + i] - mean) * (x[start + i] - mean);
                }
                var /= len;
                for (int i = 0; i < len; i++) {
                    int ch = g * per + i / hw;
                    out[start + i] = (x[start + i] - mean) / Math.sqrt(var + 1e-5) * gamma[ch] + beta[ch];
                }
            }
        }
        return out;
    }

    @Test
    void matchesTheDefinition() {
        HostRandom r = new HostRandom(5);
        int n = 2;
        int c = 8;
        int hw = 9;
        float[] x = r.normal(n * c * hw);
        for (int i = 0; i < x.length; i++) {
            x[i] = 3 + 2 * x[i];
        }
        float[] gamma = r.uniform(c, 0.5, 1.5);
        float[] beta = r.uniform(c, -1, 1);
        try (NDManager m = runtime.newManager()) {
            NDArray out = GroupNorm.apply(m.create(x, new Shape(n, c, 3, 3)), 4, m.create(gamma), m.create(beta), GroupNorm.EPS);
            assertEquals(new Shape(n, c, 3, 3), out.getShape());
            assertClose(reference(x, n, c, hw, 4, gamma, beta), out.toFloatArray(), 1e-5);
        }
    }

    @Test
    void scaleShiftIsFilmAfterTheAffine() {
        HostRandom r = new HostRandom(6);
        int n = 2;
        int c = 4;
        int hw = 4;
        float[] x = r.normal(n * c * hw);
        float[] gamma = r.uniform(c, 0.5, 1.5);
        float[] beta = r.uniform(c, -1, 1);
        float[] scale = r.uniform(n * c, -0.5, 0.5);
        float[] shift = r.uniform(n * c, -0.5, 0.5);
        double[] gn = reference(x, n, c, hw, 2, gamma, beta);
        double[] expected = new double[gn.length];
        for (int i = 0; i < gn.length; i++) {
            int bc = i / hw;
            expected[i] = gn[i] * (1 + scale[bc]) + shift[bc];
        }
        try (NDManager m = runtime.newManager()) {
            NDArray out = GroupNorm.applyScaleShift(m.create(x, new Shape(n, c, 2, 2)), 2, m.create(gamma), m.create(beta),
                    m.create(scale, new Shape(n, c)), m.create(shift, new Shape(n, c)), GroupNorm.EPS);
            assertClose(expected, out.toFloatArray(), 1e-5);
        }
    }

    static void assertClose(double[] expected, float[] actual, double tol) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tol, "element " + i);
        }
    }
}
