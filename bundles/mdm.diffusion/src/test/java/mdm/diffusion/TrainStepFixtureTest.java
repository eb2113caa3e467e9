package mdm.diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import mdm.core.runtime.EngineRuntime;
import mdm.schedules.DeepFloydSchedule;
import org.junit.jupiter.api.Test;
import mdm.core.config.Json;
import mdm.core.fixtures.EngineExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One training step of the reference (Diffusion.get_loss / NestedDiffusion.get_loss) with its
 * recorded random draws, and the recorded model output in place of the network.
 */
class TrainStepFixtureTest {
    static final double TOLERANCE = 1e-5;
    static EngineRuntime runtime;

    @RegisterExtension
    static final EngineExtension ENGINE = new EngineExtension(r -> runtime = r);

    /** |a − b| ≤ 1e-5·max(1, |b|) element-wise. */
    static void assertClose(NDArray expected, NDArray actual, String what) {
        assertEquals(expected.getShape(), actual.getShape(), what);
        float[] e = expected.toFloatArray();
        float[] a = actual.toFloatArray();
        System.out.printf("%-28s max |diff| %.2e, max rel %.2e%n", what, Fixture.maxAbsolute(e, a), Fixture.maxRelative(e, a));
        for (int i = 0; i < e.length; i++) {
            double tol = TOLERANCE * Math.max(1, Math.abs(e[i]));
            assertTrue(Math.abs(e[i] - a[i]) <= tol, what + "[" + i + "]: expected " + e[i] + " got " + a[i]);
        }
    }

    static DiffusionSettings settings(String model) {
        return DiffusionSettings.parse(Json.options(Fixture.withoutClassMarkers(
                Fixture.json(model + "_config.json").get("diffusion_config_used_for_inputs_training_sampling"))));
    }

    static List<Integer> scales(String model) {
        return model.equals("nested32") ? List.of(2, 1) : List.of(1);
    }

    static List<Integer> sides(String model) {
        return model.equals("nested32") ? List.of(32, 16) : List.of(32);
    }

    @Test
    void unetStepMatchesTheReference() {
        check("unet32");
    }

    @Test
    void nestedStepMatchesTheReference() {
        check("nested32");
    }

    private void check(String model) {
        try (NDManager m = runtime.newManager()) {
            Map<String, NDArray> npz = Fixture.npz(m, model + "_train_step.npz");
            MultiResolutionProcess process = new MultiResolutionProcess(settings(model), new DeepFloydSchedule(), scales(model));
            RecordedDraws draws = new RecordedDraws(npz);
            NoisedBatch batch = process.noise(npz.get("images"), draws);
            assertTrue(draws.exhausted(), "every recorded draw is used");

            assertArrayEquals(npz.get("fp32.times").toLongArray(), batch.modelTimes().toLongArray());
            List<NDArray> outputs = new ArrayList<>();
            for (int i = 0; i < sides(model).size(); i++) {
                int side = sides(model).get(i);
                assertClose(npz.get("fp32.x_t." + side), batch.noisy().get(i), model + " x_t." + side);
                assertClose(npz.get("fp32.target." + side), batch.targets().get(i), model + " target." + side);
                outputs.add(npz.get("fp32.model_out." + side));
            }
            TrainingLoss loss = process.loss(batch, outputs);
            for (int i = 0; i < sides(model).size(); i++) {
                int side = sides(model).get(i);
                assertClose(npz.get("fp32.pred_for_loss." + side), loss.predictions().get(i), model + " pred_for_loss." + side);
            }
            assertClose(npz.get("fp32.losses_per_example"), loss.perExample(), model + " losses_per_example");
            assertClose(npz.get("fp32.loss").reshape(), loss.total().reshape(), model + " loss");
        }
    }

    /**
     * d loss / d v̂ under autograd, with a forced GC between forward and backward (the DJL scalar
     * trap): for v → ε conversion ε̂ = √(1−γ)·x_t + √γ·v̂, so d/dv̂ = w_level·2(ε̂ − ε)·√γ/(B·C·H·W).
     */
    @Test
    void lossGradientSurvivesGarbageCollection() {
        String model = "nested32";
        for (int trial = 0; trial < 3; trial++) {
            try (NDManager m = runtime.newManager()) {
                Map<String, NDArray> npz = Fixture.npz(m, model + "_train_step.npz");
                MultiResolutionProcess process = new MultiResolutionProcess(settings(model), new DeepFloydSchedule(), scales(model));
                NoisedBatch batch = process.noise(npz.get("images"), new RecordedDraws(npz));
                List<NDArray> outputs = new ArrayList<>();
                for (int side : sides(model)) {
                    NDArray out = npz.get("fp32.model_out." + side).duplicate();
                    out.setRequiresGradient(true);
                    outputs.add(out);
                }
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    TrainingLoss loss = process.loss(batch, outputs);
                    System.gc();
                    System.runFinalization();
                    gc.backward(loss.total());
                }
                double[] levelWeight = {4, 1};
                for (int i = 0; i < 2; i++) {
                    int side = sides(model).get(i);
                    float[] pred = npz.get("fp32.pred_for_loss." + side).toFloatArray();
                    float[] target = npz.get("fp32.target." + side).toFloatArray();
                    float[] gamma = batch.levels().get(i).gammas();
                    float[] grad = outputs.get(i).getGradient().toFloatArray();
                    int perExample = pred.length / 3;
                    for (int k = 0; k < pred.length; k++) {
                        double expected = levelWeight[i] * 2 * (pred[k] - target[k]) * Math.sqrt(gamma[k / perExample])
                                / pred.length;
                        assertEquals(expected, grad[k], 1e-4 * Math.abs(expected) + 1e-9, "gradient at level " + i + "[" + k + "]");
                    }
                }
            }
        }
    }
}
