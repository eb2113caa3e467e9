package mdm.core.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import mdm.core.io.Npz;
import mdm.core.runtime.EngineRuntime;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The reference's training step ends with clip_grad_norm_(2.0) and Adam(lr=1e-3, eps=1e-8):
 * from its recorded gradients and the parameters before the step we must land on its recorded
 * parameters after the step.
 */
class AdamWTest {
    static EngineRuntime runtime;
    static final Path FIXTURES = Path.of(System.getProperty("mdm.testdata", "../../testdata"), "ml-mdm");

    @BeforeAll
    static void start() {
        runtime = EngineRuntime.standalone();
    }

    @AfterAll
    static void stop() {
        runtime.close();
    }

    @Test
    void clippedAdamStepMatchesTheReference() {
        for (String model : new String[] {"nested32", "unet32"}) {
            try (NDManager m = runtime.newManager()) {
                Map<String, NDArray> before = Npz.read(FIXTURES.resolve(model + "_state_dict.npz"), m);
                Map<String, NDArray> step = Npz.read(FIXTURES.resolve(model + "_train_step.npz"), m);
                Map<String, NDArray> grads = new LinkedHashMap<>();
                before.forEach((k, v) -> grads.put(k, step.get("fp32.grad." + k).duplicate()));

                double norm = Gradients.clipGlobalNorm(grads, 2.0, m);
                assertEquals(step.get("fp32.grad_total_norm_before_clip").getDouble(), norm, 1e-5 * norm, model);

                AdamW adam = new AdamW(AdamW.Settings.defaults(), m);
                adam.step(before, grads, 1e-3, m);
                double worst = 0;
                for (String k : before.keySet()) {
                    NDArray expected = step.get("fp32.param_after_adam." + k);
                    double diff = before.get(k).sub(expected).abs().max().getFloat();
                    worst = Math.max(worst, diff);
                }
                // one Adam step moves each weight by about lr = 1e-3; fp32 rounding is ~1e-7 of a unit weight
                assertTrue(worst < 2e-6, model + ": worst parameter difference " + worst);
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
