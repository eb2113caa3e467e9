package mdm.core.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import mdm.core.io.Npz;
import mdm.core.runtime.EngineRuntime;
import org.junit.jupiter.api.Test;
import mdm.core.fixtures.EngineExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * ml-mdm's trainer ends a step with clip_grad_norm_(2.0) and Adam (or AdamW) with eps 1e-8. The
 * reference (adam_reference.npz, PyTorch's own optimisers) takes three steps on designed tensors:
 * gradients from 1e-12 to 10 (where eps decides the update), exact zeros, a step whose norm is
 * under the clipping bound, and another learning rate per step; we must land on its parameters
 * after every step.
 */
class AdamWTest {
    static EngineRuntime runtime;
    static final Path FIXTURES = Path.of(System.getProperty("mdm.testdata", "../../testdata"), "ml-mdm");
    static final List<String> NAMES = List.of("conv.weight", "linear.weight", "linear.bias", "norm.weight");

    @RegisterExtension
    static final EngineExtension ENGINE = new EngineExtension(r -> runtime = r);

    @Test
    void clippedAdamStepsMatchTheReference() {
        check("adam", 0.0);
    }

    @Test
    void clippedAdamWStepsMatchTheReference() {
        check("adamw", 0.05);
    }

    private void check(String optimiser, double weightDecay) {
        try (NDManager m = runtime.newManager()) {
            Map<String, NDArray> ref = Npz.read(FIXTURES.resolve("adam_reference.npz"), m);
            double[] lr = ref.get("lr").toDoubleArray();
            double maxNorm = ref.get("max_norm").getDouble();
            Map<String, NDArray> params = new LinkedHashMap<>();
            NAMES.forEach(k -> params.put(k, ref.get("p0." + k).duplicate()));
            AdamW.Settings defaults = AdamW.Settings.defaults();
            AdamW adam = new AdamW(new AdamW.Settings(defaults.beta1(), defaults.beta2(), defaults.eps(), weightDecay), m);
            for (int s = 1; s <= lr.length; s++) {
                Map<String, NDArray> grads = new LinkedHashMap<>();
                for (String k : NAMES) {
                    grads.put(k, ref.get("grad" + s + "." + k).duplicate());
                }
                double norm = Gradients.clipGlobalNorm(grads, maxNorm, m);
                double refNorm = ref.get(optimiser + ".norm" + s).getDouble();
                assertEquals(refNorm, norm, 1e-6 * refNorm, optimiser + " step " + s + " norm");
                adam.step(params, grads, lr[s - 1], m);
                double worst = 0;
                double worstUlps = 0;
                for (String k : NAMES) {
                    float[] ours = params.get(k).toFloatArray();
                    float[] expected = ref.get(optimiser + ".p" + s + "." + k).toFloatArray();
                    for (int i = 0; i < ours.length; i++) {
                        double d = Math.abs(ours[i] - expected[i]);
                        worst = Math.max(worst, d);
                        // in float32 units of the parameter or, for parameters near zero, of the step size
                        worstUlps = Math.max(worstUlps, d / Math.ulp((float) Math.max(Math.abs(expected[i]), lr[s - 1])));
                    }
                }
                System.out.printf("%s step %d: norm %.7f (ref %.7f), worst parameter difference %.2e (%.0f ulp)%n",
                        optimiser, s, norm, refNorm, worst, worstUlps);
                // the same float32 operations in another order: a rounding or two per step taken so far; a wrong
                // update (bias correction, eps, decay, clipping) is off by a fraction of lr, thousands of units
                assertTrue(worstUlps <= 2 * s, optimiser + " step " + s + ": worst parameter difference " + worstUlps + " ulp");
            }
        }
    }

    @Test
    void warmupThenCosine() {
        LearningRate lr = new LearningRate(1e-3, 10, LearningRate.Decay.COSINE, 110, 0.1);
        assertEquals(1e-4, lr.at(1), 1e-12);
        assertEquals(1e-3, lr.at(10), 1e-12);
        assertEquals(1e-3 * (0.1 + 0.9 * 0.5), lr.at(60), 1e-12);
        assertEquals(1e-4, lr.at(110), 1e-12);
        assertEquals(5e-4, new LearningRate(1e-3, 10, LearningRate.Decay.CONSTANT, 0, 0).at(5), 1e-12);
    }

    @Test
    void emaWithWarmupStartsCloseToTheParameters() {
        try (NDManager m = runtime.newManager()) {
            Map<String, NDArray> p = Map.of("w", m.create(new float[] {0f}));
            ExponentialMovingAverage ema = new ExponentialMovingAverage(0.999, true, p, m);
            p.get("w").addi(m.create(new float[] {1f}));
            ema.update(p, m); // decay min(0.999, 1/10) = 0.1
            assertEquals(0.9f, ema.parameters().get("w").getFloat(0), 1e-6f);
            assertEquals(2.0 / 11, ema.currentDecay(), 1e-12);
        }
    }
}
