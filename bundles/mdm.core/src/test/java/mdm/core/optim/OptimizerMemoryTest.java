package mdm.core.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.LinkedHashMap;
import java.util.Map;
import mdm.core.random.HostRandom;
import mdm.core.runtime.EngineRuntime;
import org.junit.jupiter.api.Test;
import mdm.core.fixtures.EngineExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Results of operations on parameters, gradients and optimiser state land in their long-lived
 * managers; a step must close every such temporary, or memory grows with every step.
 */
class OptimizerMemoryTest {
    static EngineRuntime runtime;

    @RegisterExtension
    static final EngineExtension ENGINE = new EngineExtension(r -> runtime = r);

    @Test
    void resetClearsNonFiniteGradients() {
        try (NDManager m = runtime.newManager()) {
            NDArray p = m.create(new float[] {1f, 2f});
            p.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(p.mul(m.create(new float[] {Float.NaN, Float.POSITIVE_INFINITY})).sum());
            }
            Map<String, NDArray> grads = Gradients.of(Map.of("p", p));
            Gradients.reset(grads, m);
            org.junit.jupiter.api.Assertions.assertArrayEquals(new float[] {0f, 0f}, grads.get("p").toFloatArray());
            Gradients.close(grads);
        }
    }

    @Test
    void stepsLeaveTheLongLivedManagersAsTheyWere() {
        try (NDManager params = runtime.newManager(); NDManager state = runtime.newManager()) {
            HostRandom random = new HostRandom(1);
            Map<String, NDArray> p = new LinkedHashMap<>();
            p.put("w", params.create(random.normal(12), new Shape(4, 3)));
            p.put("b", params.create(random.normal(4), new Shape(4)));
            p.values().forEach(a -> a.setRequiresGradient(true));
            AdamW adam = new AdamW(AdamW.Settings.defaults(), state);
            ExponentialMovingAverage ema = new ExponentialMovingAverage(0.9, true, p, state);
            int paramsAfterFirst = -1;
            int stateAfterFirst = -1;
            for (int step = 0; step < 5; step++) {
                try (NDManager scratch = runtime.newManager()) {
                    NDArray x = scratch.create(random.normal(8), new Shape(2, 4));
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        gc.backward(x.matMul(p.get("w")).sum().add(x.mul(p.get("b")).sum()));
                    }
                    Map<String, NDArray> grads = Gradients.of(p);
                    Gradients.clipGlobalNorm(grads, 0.5, scratch);
                    adam.step(p, grads, 1e-2, scratch);
                    Gradients.zero(grads, scratch);
                    Gradients.close(grads);
                    ema.update(p, scratch);
                }
                if (step == 0) {
                    paramsAfterFirst = params.getManagedArrays().size();
                    stateAfterFirst = state.getManagedArrays().size();
                }
            }
            assertEquals(paramsAfterFirst, params.getManagedArrays().size(), "arrays left in the parameters' manager");
            assertEquals(stateAfterFirst, state.getManagedArrays().size(), "arrays left in the optimiser's manager");
        }
    }
}
