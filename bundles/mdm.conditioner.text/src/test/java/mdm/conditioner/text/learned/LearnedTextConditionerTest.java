package mdm.conditioner.text.learned;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import mdm.api.conditioning.Conditioner;
import mdm.api.data.DatasetInfo;
import mdm.api.data.Sample;
import mdm.api.model.Conditioning;
import mdm.conditioner.text.internal.LearnedTextConditionerFactory;
import mdm.core.config.Json;
import mdm.core.runtime.EngineRuntime;
import mdm.core.tensor.Scalars;
import org.junit.jupiter.api.Test;
import mdm.core.fixtures.EngineExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

class LearnedTextConditionerTest {
    private static final DatasetInfo SHAPES = new DatasetInfo("shapes", 64, 3, 1, List.of(), true, -1);
    private static final JsonNode SMALL = Json.parse("{dim: 32, layers: 2, heads: 4, max_token_length: 16}");
    private static EngineRuntime runtime;

    @RegisterExtension
    static final EngineExtension ENGINE = new EngineExtension(r -> runtime = r);

    private static List<Sample> captions(String... texts) {
        List<Sample> out = new ArrayList<>();
        for (String t : texts) {
            out.add(Sample.condition(-1, t));
        }
        return out;
    }

    @Test
    void encodesMaskedTokensDeterministically() {
        LearnedTextConditionerFactory factory = new LearnedTextConditionerFactory(runtime);
        assertEquals(32, factory.featureDim(Json.options(SMALL), SHAPES));
        try (NDManager m = runtime.newManager();
             Conditioner a = factory.create(Json.options(SMALL), SHAPES, m, 7);
             Conditioner b = factory.create(Json.options(SMALL), SHAPES, m, 7)) {
            Map<String, NDArray> params = a.parameters();
            assertTrue(params.containsKey("token_embedding.weight"));
            assertTrue(params.containsKey("blocks.1.mlp.main.3.weight"));
            assertEquals(new Shape(32100, 32), params.get("token_embedding.weight").getShape());
            Conditioning ca = a.encode(captions("a red circle", "a small green striped triangle on the left"), null, true, m);
            Conditioning cb = b.encode(captions("a red circle", "a small green striped triangle on the left"), null, true, m);
            assertArrayEquals(ca.tokens().toFloatArray(), cb.tokens().toFloatArray(), "same seed, same encoder");
            long len = ca.tokens().getShape().get(1);
            assertEquals(new Shape(2, len, 32), ca.tokens().getShape());
            float[] mask = ca.mask().toFloatArray();
            float[] t = ca.tokens().toFloatArray();
            int real0 = 0;
            for (int j = 0; j < len; j++) {
                real0 += (int) mask[j];
                for (int d = 0; d < 32; d++) {
                    if (mask[j] == 0) {
                        assertEquals(0f, t[j * 32 + d], 0f);
                    }
                }
            }
            assertTrue(real0 < len, "the short caption is padded");
            assertEquals(new Shape(3, 2, 32), a.unconditional(3, m).tokens().getShape());
        }
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        LearnedTextConditionerFactory factory = new LearnedTextConditionerFactory(runtime);
        List<Sample> batch = captions("a red circle", "a blue square at the top");
        try (NDManager m = runtime.newManager(); Conditioner c = factory.create(Json.options(SMALL), SHAPES, m, 3)) {
            // random values everywhere (the zero-initialised outputs would hide the blocks' gradients)
            Random r = new Random(1);
            for (NDArray p : c.parameters().values()) {
                float[] v = new float[(int) p.size()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) (0.3 * r.nextGaussian());
                }
                p.set(FloatBuffer.wrap(v));
            }
            float[] weights = new float[2 * 16 * 32];
            for (int i = 0; i < weights.length; i++) {
                weights[i] = (float) r.nextGaussian();
            }
            String[] checked = {"token_embedding.weight", "position_embedding.weight", "blocks.0.attn.qkv.weight",
                                "blocks.1.attn.proj_out.weight", "blocks.1.mlp.main.1.weight", "norm.weight"};
            Map<String, float[]> grads = new java.util.HashMap<>();
            try (NDManager step = m.newSubManager()) {
                c.parameters().values().forEach(p -> p.setRequiresGradient(true));
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray loss = loss(c, batch, weights, step);
                    System.gc();
                    gc.backward(loss);
                }
                for (String k : checked) {
                    try (NDArray g = c.parameters().get(k).getGradient()) {
                        grads.put(k, g.toFloatArray());
                    }
                }
                c.parameters().values().forEach(p -> p.setRequiresGradient(false));
            }
            int[] tokenRows = {3, 9}; // ▁ and "a" occur in both captions
            double worst = 0;
            for (String k : checked) {
                NDArray p = c.parameters().get(k);
                long cols = p.getShape().dimension() > 1 ? p.getShape().get(1) : 1;
                for (int probe = 0; probe < 4; probe++) {
                    long index = k.startsWith("token_embedding")
                            ? tokenRows[probe % 2] * cols + probe * 5L
                            : (long) (r.nextDouble() * p.size());
                    double numeric = finiteDifference(c, batch, weights, m, p, index, 1e-2);
                    double analytic = grads.get(k)[(int) index];
                    double err = Math.abs(numeric - analytic) / (1e-2 + Math.abs(numeric));
                    worst = Math.max(worst, err);
                    assertTrue(err < 0.03, k + "[" + index + "]: autograd " + analytic + " vs finite difference " + numeric);
                }
            }
            System.out.printf("learned-text gradient check: worst relative error %.2g%n", worst);
        }
    }

    @Test
    void trainsWithPlainGradientSteps() {
        LearnedTextConditionerFactory factory = new LearnedTextConditionerFactory(runtime);
        List<Sample> batch = captions("a red circle", "a blue square", "a green triangle");
        float[] target = new float[3 * 16 * 32];
        Random r = new Random(2);
        for (int i = 0; i < target.length; i++) {
            target[i] = (float) r.nextGaussian();
        }
        try (NDManager m = runtime.newManager(); Conditioner c = factory.create(Json.options(SMALL), SHAPES, m, 5)) {
            c.parameters().values().forEach(p -> p.setRequiresGradient(true));
            double first = 0;
            double last = 0;
            for (int it = 0; it < 30; it++) {
                try (NDManager step = m.newSubManager()) {
                    float value;
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray out = c.encode(batch, null, true, step).tokens();
                        NDArray t = step.create(target, new Shape(3, 16, 32)).get(":, 0:" + out.getShape().get(1) + ", :");
                        NDArray loss = out.sub(t).square().mean();
                        value = loss.getFloat();
                        System.gc();
                        gc.backward(loss);
                    }
                    for (NDArray p : c.parameters().values()) {
                        try (NDArray g = p.getGradient()) {
                            p.subi(g.mul(Scalars.of(step, 0.5)));
                        }
                    }
                    if (it == 0) {
                        first = value;
                    }
                    last = value;
                }
            }
            System.out.printf("learned-text: 30 SGD steps take the loss from %.4f to %.4f%n", first, last);
            assertTrue(last < 0.8 * first, first + " → " + last);
            assertFalse(Double.isNaN(last));
        }
    }

    private static NDArray loss(Conditioner c, List<Sample> batch, float[] weights, NDManager m) {
        NDArray out = c.encode(batch, null, true, m).tokens();
        long len = out.getShape().get(1);
        NDArray w = m.create(weights, new Shape(2, 16, 32)).get(":, 0:" + len + ", :");
        return out.mul(w).sum();
    }

    private static double finiteDifference(Conditioner c, List<Sample> batch, float[] weights, NDManager m,
                                           NDArray p, long index, double eps) {
        float[] values = p.toFloatArray();
        float original = values[(int) index];
        double[] f = new double[2];
        for (int s = 0; s < 2; s++) {
            values[(int) index] = (float) (original + (s == 0 ? eps : -eps));
            p.set(FloatBuffer.wrap(values));
            try (NDManager step = m.newSubManager()) {
                f[s] = loss(c, batch, weights, step).getFloat();
            }
        }
        values[(int) index] = original;
        p.set(FloatBuffer.wrap(values));
        return (f[0] - f[1]) / (2 * eps);
    }
}
