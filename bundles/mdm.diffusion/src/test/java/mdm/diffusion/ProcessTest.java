package mdm.diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import mdm.api.MdmException;
import mdm.core.random.HostRandom;
import mdm.core.runtime.EngineRuntime;
import mdm.schedules.DeepFloydSchedule;
import org.junit.jupiter.api.Test;
import mdm.core.config.Json;
import mdm.core.fixtures.EngineExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Loss variants of NestedDiffusion.get_loss that the recorded step does not exercise (mixed batch,
 * VDM weights, single loss), checked against the reference's recorded per-level predictions and
 * targets of nested32_train_step.npz.
 */
class ProcessTest {
    static EngineRuntime runtime;

    @RegisterExtension
    static final EngineExtension ENGINE = new EngineExtension(r -> runtime = r);

    static DiffusionSettings nestedWith(String key, Object value) {
        ObjectNode cfg = (ObjectNode) Fixture.withoutClassMarkers(
                Fixture.json("nested32_config.json").get("diffusion_config_used_for_inputs_training_sampling"));
        if (value == null) {
            cfg.remove(key);
        } else if (value instanceof Boolean b) {
            cfg.put(key, b);
        } else {
            cfg.put(key, value.toString());
        }
        return DiffusionSettings.parse(Json.options(cfg));
    }

    /** Per-example MSE of the reference's pred_for_loss against its target at one level. */
    static double[] referenceMse(Map<String, NDArray> npz, int side) {
        float[] p = npz.get("fp32.pred_for_loss." + side).toFloatArray();
        float[] t = npz.get("fp32.target." + side).toFloatArray();
        int per = p.length / 3;
        double[] mse = new double[3];
        for (int k = 0; k < p.length; k++) {
            mse[k / per] += (double) (p[k] - t[k]) * (p[k] - t[k]) / per;
        }
        return mse;
    }

    @Test
    void mixedBatchTrainsThePrefixAndRescales() {
        try (NDManager m = runtime.newManager()) {
            Map<String, NDArray> npz = Fixture.npz(m, "nested32_train_step.npz");
            MultiResolutionProcess process = new MultiResolutionProcess(nestedWith("mixed_ratio", "2:1"),
                    new DeepFloydSchedule(), List.of(2, 1));
            NoisedBatch batch = process.noise(npz.get("images"), new RecordedDraws(npz));
            assertArrayEquals(new int[] {2, 3}, batch.activeExamples());
            assertEquals(new Shape(2, 3, 32, 32), batch.modelInputs().get(0).getShape());
            assertEquals(new Shape(3, 3, 16, 16), batch.modelInputs().get(1).getShape());
            // the backbone returns the high level for its 2 examples only
            List<NDArray> out = List.of(npz.get("fp32.model_out.32").get("0:2"), npz.get("fp32.model_out.16"));
            TrainingLoss loss = process.loss(batch, out);
            double[] high = referenceMse(npz, 32);
            double[] low = referenceMse(npz, 16);
            double m0 = 2.0 / 3.0;
            double[] expected = {4 * high[0] / m0 + low[0], 4 * high[1] / m0 + low[1], low[2]};
            assertArrayEquals(expected, toDouble(loss.perExample()), 1e-5);
            assertEquals((expected[0] + expected[1] + expected[2]) / 3, loss.total().getFloat(), 1e-5);
            // the full-batch (zero-padded) output gives the same loss
            TrainingLoss padded = process.loss(batch, List.of(npz.get("fp32.model_out.32"), npz.get("fp32.model_out.16")));
            assertArrayEquals(expected, toDouble(padded.perExample()), 1e-5);
        }
    }

    @Test
    void vdmWeightsWeightTheMean() {
        try (NDManager m = runtime.newManager()) {
            Map<String, NDArray> npz = Fixture.npz(m, "nested32_train_step.npz");
            MultiResolutionProcess process = new MultiResolutionProcess(nestedWith("use_vdm_loss_weights", true),
                    new DeepFloydSchedule(), List.of(2, 1));
            NoisedBatch batch = process.noise(npz.get("images"), new RecordedDraws(npz));
            TrainingLoss loss = process.loss(batch, List.of(npz.get("fp32.model_out.32"), npz.get("fp32.model_out.16")));
            Map<String, NDArray> schedules = Fixture.npz(m, "schedules.npz");
            float[] table = schedules.get("DEEPFLOYD.n1000.vdm_loss_weights").toFloatArray();
            float[] perExample = npz.get("fp32.losses_per_example").toFloatArray();
            long[] t = npz.get("fp32.times").toLongArray();
            double num = 0;
            double den = 0;
            for (int b = 0; b < 3; b++) {
                double w = table[(int) t[b] + 1];
                num += w * perExample[b];
                den += w;
                assertEquals(w, loss.weights().getFloat(b), 1e-6 * w);
            }
            assertEquals(num / den, loss.total().getFloat(), 1e-5 * num / den);
        }
    }

    /** Without use_double_loss only the top level counts, but the lower output stays in the graph. */
    @Test
    void singleLossKeepsLowerLevelsInTheGraph() {
        try (NDManager m = runtime.newManager()) {
            Map<String, NDArray> npz = Fixture.npz(m, "nested32_train_step.npz");
            DiffusionSettings s = nestedWith("multi_res_weights", null);
            ObjectNode json = Json.tree(s.toOptions());
            json.put("use_double_loss", false);
            MultiResolutionProcess process = new MultiResolutionProcess(DiffusionSettings.parse(Json.options(json)),
                    new DeepFloydSchedule(), List.of(2, 1));
            NoisedBatch batch = process.noise(npz.get("images"), new RecordedDraws(npz));
            NDArray high = npz.get("fp32.model_out.32").duplicate();
            NDArray low = npz.get("fp32.model_out.16").duplicate();
            high.setRequiresGradient(true);
            low.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                TrainingLoss loss = process.loss(batch, List.of(high, low));
                assertArrayEquals(referenceMse(npz, 32), toDouble(loss.perExample()), 1e-5);
                System.gc();
                gc.backward(loss.total());
            }
            NDArray lowGradient = low.getGradient();
            assertNotNull(lowGradient);
            assertEquals(0f, lowGradient.abs().max().getFloat());
            assertTrue(high.getGradient().abs().max().getFloat() > 0);
        }
    }

    @Test
    void pyramidAndInitialNoiseFollowTheLevelScales() {
        try (NDManager m = runtime.newManager()) {
            DiffusionSettings s = DiffusionSettings.parse(Json.options(mdm.core.config.Json.parse(
                    "{no_use_residual: true, sampler_config: {num_diffusion_steps: 10, schedule_type: DEEPFLOYD}}")));
            MultiResolutionProcess p = new MultiResolutionProcess(s, new DeepFloydSchedule(), List.of(16, 4, 1));
            List<NDArray> pyramid = p.pyramid(m.ones(new Shape(2, 3, 64, 64)));
            assertEquals(new Shape(2, 3, 16, 16), pyramid.get(1).getShape());
            assertEquals(new Shape(2, 3, 4, 4), pyramid.get(2).getShape());
            List<NDArray> x = p.initialNoise(2, 3, 64, new HostRandom(1), m);
            assertEquals(List.of(new Shape(2, 3, 64, 64), new Shape(2, 3, 16, 16), new Shape(2, 3, 4, 4)),
                    x.stream().map(NDArray::getShape).toList());
            // signal scaling: without schedule_shifted the clean images are divided by the level scale
            assertEquals(List.of(16.0, 4.0, 1.0), p.levels().stream().map(l -> l.signalScale()).toList());
        }
    }

    @Test
    void sameSeedSameBatch() {
        try (NDManager m = runtime.newManager()) {
            MultiResolutionProcess p = new MultiResolutionProcess(nestedWith("mixed_ratio", null), new DeepFloydSchedule(),
                    List.of(2, 1));
            NDArray images = m.randomUniform(-1, 1, new Shape(2, 3, 8, 8));
            NoisedBatch a = p.noise(images, TrainingDraws.from(new HostRandom(7)));
            HostRandom resumed = new HostRandom(7);
            NoisedBatch b = p.noise(images, TrainingDraws.from(resumed));
            assertArrayEquals(a.times(), b.times());
            assertArrayEquals(a.noisy().get(1).toFloatArray(), b.noisy().get(1).toFloatArray());
            NoisedBatch c = p.noise(images, TrainingDraws.from(new HostRandom(7, resumed.counter())));
            NoisedBatch d = p.noise(images, TrainingDraws.from(resumed));
            assertArrayEquals(d.noisy().get(0).toFloatArray(), c.noisy().get(0).toFloatArray());
        }
    }

    @Test
    void configurationErrorsSayWhatToChange() {
        MdmException e = assertThrows(MdmException.class, () -> new MultiResolutionProcess(
                nestedWith("multi_res_weights", "16:4:1"), new DeepFloydSchedule(), List.of(2, 1)));
        assertTrue(e.getMessage().contains("one weight per level"), e.getMessage());
        e = assertThrows(MdmException.class, () -> new MultiResolutionProcess(
                nestedWith("no_use_residual", false), new DeepFloydSchedule(), List.of(2, 1)));
        assertTrue(e.getMessage().contains("no_use_residual: true"), e.getMessage());
        e = assertThrows(MdmException.class, () -> new MultiResolutionProcess(
                nestedWith("mixed_ratio", "1:1:1"), new DeepFloydSchedule(), List.of(2, 1)));
        assertTrue(e.getMessage().contains("one part per level"), e.getMessage());
        e = assertThrows(MdmException.class, () -> new MultiResolutionProcess(
                nestedWith("mixed_ratio", null), new DeepFloydSchedule(), List.of(1, 2)));
        assertTrue(e.getMessage().contains("must end with 1") || e.getMessage().contains("must decrease"), e.getMessage());
    }

    private static double[] toDouble(NDArray a) {
        float[] f = a.toFloatArray();
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }
}
