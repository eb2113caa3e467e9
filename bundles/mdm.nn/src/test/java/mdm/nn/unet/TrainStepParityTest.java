package mdm.nn.unet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import mdm.api.model.Conditioning;
import mdm.core.fixtures.GradientSketch;
import mdm.core.runtime.EngineRuntime;
import mdm.core.tensor.Scalars;
import mdm.nn.Compare;
import mdm.nn.Fixtures;
import org.junit.jupiter.api.Test;
import mdm.core.fixtures.EngineExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One training step of the reference, replayed on its recorded inputs: the model is run on the
 * recorded x_t, the v-prediction is converted to ε-space per level with that level's γ
 * (ε̂ = √(1−γ)·x_t + √γ·v̂), the per-level MSE against the recorded targets is weighted
 * (nested32: multi_res_weights "4:1", use_double_loss) and averaged over the batch (mdm-facts §3.7).
 * The loss and every parameter gradient must match the fp32 reference: |Δloss|/loss ≤ 1e-4 and, per
 * tensor, ‖g − g_ref‖₂ / ‖g_ref‖₂ ≤ 1e-4 — exactly where the fixture holds the whole reference
 * gradient (tensors of at most 4096 elements), else estimated from its 64 random projections
 * (mdm.core.fixtures.GradientSketch). The global gradient norm (what clipping divides by) must match
 * to 1e-4 as well. A garbage collection is forced between forward and backward.
 */
class TrainStepParityTest {
    static final double TOL = 1e-4;
    static EngineRuntime runtime;

    @RegisterExtension
    static final EngineExtension ENGINE = new EngineExtension(r -> runtime = r);

    @Test
    void nested32() {
        check("nested32", new String[] {"32", "16"}, new double[] {4, 1},
                new String[] {"DEEPFLOYD.n1000.shifted_scale2_power1.gammas", "DEEPFLOYD.n1000.gammas"});
    }

    @Test
    void unet32() {
        check("unet32", new String[] {"32"}, new double[] {1}, new String[] {"DEEPFLOYD.n1000.gammas"});
    }

    private void check(String model, String[] res, double[] weights, String[] gammaTables) {
        try (NDManager m = runtime.newManager()) {
            UNetBackbone b = ForwardParityTest.load(model, Fixtures.configAsGiven(model), m);
            Map<String, NDArray> step = Fixtures.arrays(model + "_train_step.npz", m);
            Map<String, NDArray> schedules = Fixtures.arrays("schedules.npz", m);
            long[] times = step.get("fp32.times").toLongArray();
            for (NDArray p : b.parameters().values()) {
                p.setRequiresGradient(true);
            }
            List<NDArray> noisy = new ArrayList<>();
            for (String r : res) {
                noisy.add(step.get("fp32.x_t." + r));
            }
            Conditioning cond = new Conditioning(step.get("lm_outputs"), step.get("lm_mask"), Map.of());
            double loss;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                List<NDArray> out = b.forward(noisy, step.get("fp32.times"), cond, true);
                NDArray total = null;
                for (int i = 0; i < res.length; i++) {
                    float[] table = schedules.get(gammaTables[i]).toFloatArray();
                    float[] sg = new float[times.length];
                    float[] s1g = new float[times.length];
                    for (int k = 0; k < times.length; k++) {
                        double g = table[(int) times[k] + 1];
                        sg[k] = (float) Math.sqrt(g);
                        s1g[k] = (float) Math.sqrt(1 - g);
                    }
                    Shape per = new Shape(times.length, 1, 1, 1);
                    NDArray xt = noisy.get(i);
                    NDArray epsHat = xt.mul(m.create(s1g, per)).add(out.get(i).mul(m.create(sg, per)));
                    NDArray diff = epsHat.sub(step.get("fp32.target." + res[i]));
                    NDArray mse = diff.mul(diff).reshape(times.length, -1).mean(new int[] {1});
                    NDArray term = Scalars.mul(mse, weights[i]);
                    total = total == null ? term : total.add(term);
                }
                NDArray lossArray = total.mean();
                loss = lossArray.getFloat();
                System.gc();
                System.gc();
                collector.backward(lossArray);
            }
            double refLoss = step.get("fp32.loss").getFloat();
            assertTrue(Math.abs(loss - refLoss) / refLoss <= TOL, model + " loss " + loss + " vs " + refLoss);
            List<String> bad = new ArrayList<>();
            double worst = 0;
            double worstSketched = 0;
            double squaredNorm = 0;
            int checked = 0;
            for (Map.Entry<String, NDArray> e : b.parameters().entrySet()) {
                NDArray sketch = step.get("fp32.grad_sketch." + e.getKey());
                if (sketch == null) {
                    bad.add(e.getKey() + ": no reference gradient");
                    continue;
                }
                try (NDArray g = e.getValue().getGradient()) {
                    float[] ours = g.toFloatArray();
                    for (float v : ours) {
                        squaredNorm += (double) v * v;
                    }
                    NDArray whole = step.get("fp32.grad." + e.getKey());
                    double rel;
                    if (whole != null) {
                        rel = Compare.relativeL2(g, whole);
                        worst = Math.max(worst, rel);
                    } else {
                        rel = GradientSketch.relativeError(ours, sketch.toDoubleArray(),
                                step.get("fp32.grad_norm." + e.getKey()).getDouble());
                        worstSketched = Math.max(worstSketched, rel);
                    }
                    checked++;
                    if (!(rel <= TOL)) {
                        bad.add(e.getKey() + ": " + rel + (whole == null ? " (estimated)" : ""));
                    }
                }
            }
            double refTotal = step.get("fp32.grad_total_norm_before_clip").getDouble();
            double total = Math.sqrt(squaredNorm);
            assertTrue(Math.abs(total - refTotal) / refTotal <= TOL, model + " gradient norm " + total + " vs " + refTotal);
            assertEquals(b.parameters().size(), checked + bad.stream().filter(s -> s.contains("no reference")).count());
            assertTrue(bad.isEmpty(), model + " gradients off (relative L2): " + bad);
            System.out.printf("%s train step: loss %.8f (ref %.8f), %d gradients, worst relative L2 %.2e "
                    + "(whole), %.2e (estimated from projections)%n", model, loss, refLoss, checked, worst, worstSketched);
            b.close();
        }
    }
}
