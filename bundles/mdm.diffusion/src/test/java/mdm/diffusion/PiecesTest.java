package mdm.diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.Map;
import mdm.api.diffusion.PredictionType;
import mdm.api.diffusion.Thresholding;
import mdm.api.model.Conditioning;
import mdm.core.random.HostRandom;
import mdm.core.runtime.EngineRuntime;
import org.junit.jupiter.api.Test;
import mdm.core.fixtures.EngineExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

class PiecesTest {
    static EngineRuntime runtime;

    @RegisterExtension
    static final EngineExtension ENGINE = new EngineExtension(r -> runtime = r);

    /** Every prediction type converts to every other and back through x0. */
    @Test
    void conversionsAreConsistent() {
        try (NDManager m = runtime.newManager()) {
            NDArray x0 = m.randomUniform(-1, 1, new Shape(2, 3, 4, 4));
            NDArray eps = m.randomNormal(new Shape(2, 3, 4, 4));
            NoiseLevel level = NoiseLevel.perExample(new float[] {0.3f, 0.9f}, m);
            NDArray xt = Predictions.noisy(x0, eps, level);
            for (PredictionType type : PredictionType.values()) {
                NDArray target = Predictions.target(type, x0, eps, level);
                assertArrayEquals(x0.toFloatArray(), Predictions.toX0(type, xt, target, level).toFloatArray(), 2e-5f);
                assertArrayEquals(target.toFloatArray(), Predictions.fromX0(type, xt, x0, level).toFloatArray(), 2e-5f);
                for (PredictionType other : PredictionType.values()) {
                    assertArrayEquals(Predictions.target(other, x0, eps, level).toFloatArray(),
                            Predictions.convert(type, other, xt, target, level).toFloatArray(), 3e-5f);
                }
            }
        }
    }

    /** torch.quantile(..., 0.995) and (..., 0.95) on 0..99 (linear interpolation): 98.505 and 94.05. */
    @Test
    void dynamicThresholdQuantile() {
        try (NDManager m = runtime.newManager()) {
            NDArray rows = m.arange(100f).reshape(1, 100).flip(1);
            assertEquals(98.505f, X0Threshold.quantile(rows, 0.995f).getFloat(0), 1e-4f);
            assertEquals(94.05f, X0Threshold.quantile(rows, 0.95f).getFloat(0), 1e-4f);
            // below 1 the threshold is 1: dynamic acts like clip
            NDArray x0 = m.create(new float[] {0.5f, -2f, 0.25f, 3f}, new Shape(1, 1, 2, 2));
            assertArrayEquals(new float[] {0.5f, -1f, 0.25f, 1f},
                    X0Threshold.apply(x0, Thresholding.CLIP, 1).toFloatArray());
            NDArray dynamic = X0Threshold.apply(x0, Thresholding.DYNAMIC_IF, 1);
            // q = quantile_0.95(|x|) = 2.85 → clamp to 1.5, then ÷1.5
            assertArrayEquals(new float[] {0.5f / 1.5f, -1f, 0.25f / 1.5f, 1f}, dynamic.toFloatArray(), 1e-6f);
            // the signal scale maps x0 to image units first
            assertArrayEquals(new float[] {0.5f, -0.5f, 0.25f, 0.5f},
                    X0Threshold.apply(x0, Thresholding.CLIP, 2).toFloatArray(), 1e-7f);
        }
    }

    @Test
    void guidanceBatchesUnconditionalFirst() {
        try (NDManager m = runtime.newManager()) {
            Conditioning cond = new Conditioning(m.ones(new Shape(2, 5, 4)), m.ones(new Shape(2, 5)),
                    Map.of("scale", m.create(new float[] {64, 64})));
            Conditioning uncond = new Conditioning(m.zeros(new Shape(2, 3, 4)), null,
                    Map.of("scale", m.create(new float[] {32, 32})));
            Conditioning both = Guidance.batch(uncond, cond);
            assertEquals(new Shape(4, 5, 4), both.tokens().getShape());
            assertArrayEquals(new float[] {1, 1, 1, 0, 0, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1},
                    both.mask().toFloatArray());
            assertArrayEquals(new float[] {32, 32, 64, 64}, both.micros().get("scale").toFloatArray());
            NDArray out = m.create(new float[] {1, 2, 5, 10}, new Shape(4, 1));
            List<NDArray> guided = Guidance.combine(List.of(out), 3.0);
            assertArrayEquals(new float[] {1 + 3 * 4, 2 + 3 * 8}, guided.get(0).toFloatArray());
        }
    }

    @Test
    void conditionDropoutIsSeededAndNearItsRate() {
        boolean[] a = ConditionDropout.decide(10_000, 0.1, new HostRandom(3));
        boolean[] b = ConditionDropout.decide(10_000, 0.1, new HostRandom(3));
        assertArrayEquals(a, b);
        int dropped = 0;
        for (boolean d : a) {
            dropped += d ? 1 : 0;
        }
        assertEquals(1000, dropped, 100);
        assertNotEquals(0, dropped);
        HostRandom r = new HostRandom(5);
        boolean[] none = ConditionDropout.decide(8, 0.0, r);
        assertArrayEquals(new boolean[8], none);
        assertEquals(8, r.counter(), "one draw per example whatever the probability");
    }
}
