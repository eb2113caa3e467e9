package mdm.samplers;

import mdm.diffusion.Fixture;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import mdm.api.diffusion.Denoiser;
import mdm.core.runtime.EngineRuntime;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The dummy-model cases of sampler_reference.npz (ancestral DDPM, DDIM η = 0 and 1, dynamic
 * thresholding with guidance 3, nested with and without the shifted schedule), step by step with
 * the recorded noise: model input x_t, model time, guided prediction, x0 and x_s per level; and the
 * final output of the full runs.
 */
class SamplerFixtureTest {
    static final double TOLERANCE = 1e-5;
    static EngineRuntime runtime;
    static NDManager manager;
    static Map<String, NDArray> npz;
    static JsonNode cases;

    @BeforeAll
    static void load() {
        runtime = EngineRuntime.standalone();
        manager = runtime.newManager();
        npz = Fixture.npz(manager, "sampler_reference.npz");
        cases = Fixture.json("sampler_reference.json").get("cases");
    }

    @AfterAll
    static void close() {
        manager.close();
        runtime.close();
    }

    /** Thrown by the listener to end a run after the recorded steps. */
    static final class Enough extends RuntimeException {
        Enough() {
            super(null, null, false, false);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dummy_ddpm_eps_ancestral", "dummy_deepfloyd_v_ddim0_50", "dummy_cosine_eps_ddim1_20",
            "dummy_deepfloyd_v_ancestral_cfg3_dynamic_25", "dummy_nested_shifted_v_ddim0_50",
            "dummy_nested_unshifted_v_ancestral_20"})
    void dummyCaseMatchesStepByStep(String name) {
        ReferenceCase c = new ReferenceCase(name, cases, npz);
        double worst = checkSteps(c, new DummyDenoiser(), TOLERANCE, manager);
        System.out.printf("%-45s steps: max |diff| %.2e%n", name, worst);
        if (c.hasFullRun()) {
            double end = checkFinal(c, new DummyDenoiser(), TOLERANCE, manager);
            System.out.printf("%-45s final output: max |diff| %.2e%n", name, end);
        }
    }

    /** Runs the recorded steps of the first run and compares them; returns the largest difference. */
    static double checkSteps(ReferenceCase c, Denoiser model, double tolerance, NDManager parent) {
        Map<String, NDArray> npz = c.npz;
        List<JsonNode> steps = new ArrayList<>();
        c.json.get("steps").forEach(steps::add);
        List<NDArray> draws = c.draws("");
        double[] worst = {0};
        try (NDManager m = parent.newSubManager()) {
            List<NDArray> initial = c.initial(draws, "x_T." + (c.name.startsWith("nested32") ? "nested32." : "")
                    + c.json.get("x_T").get(3).asInt(), m);
            RecordingModel recording = new RecordingModel(model);
            RecordedNoise noise = new RecordedNoise(c.scales.size() > 1 ? draws.subList(1, draws.size()) : draws);
            try {
                c.sampler().sample(c.request(recording, initial, noise, (step, total, t, s, xs, x0) -> {
                    JsonNode expected = steps.get(step - 1);
                    assertEquals(expected.get("time_step").asInt(), t, c.name + " step " + step);
                    int last = expected.get("time_step_last").isNull() ? t - 1 : expected.get("time_step_last").asInt();
                    assertEquals(last, s);
                    String key = c.name + ".step" + (step - 1);
                    RecordingModel.Call call = recording.calls.get(step - 1);
                    long[] modelT = npz.get(key + ".model_t").toLongArray();
                    assertArrayEquals(modelT, Arrays.copyOf(call.times(), modelT.length));
                    for (int l = 0; l < c.scales.size(); l++) {
                        String res = ".res" + l;
                        worst[0] = Math.max(worst[0], ReferenceCase.assertClose(npz.get(key + ".x_t" + res).toFloatArray(),
                                firstHalf(call.inputs().get(l), call.times().length > c.batch), tolerance, key + ".x_t" + res));
                        worst[0] = Math.max(worst[0], ReferenceCase.assertClose(npz.get(key + ".pred" + res).toFloatArray(),
                                guided(call.outputs().get(l), call.times().length > c.batch, c.guidance), tolerance, key + ".pred" + res));
                        worst[0] = Math.max(worst[0], ReferenceCase.assertClose(npz.get(key + ".x0" + res).toFloatArray(),
                                x0.get(l).toFloatArray(), tolerance, key + ".x0" + res));
                        worst[0] = Math.max(worst[0], ReferenceCase.assertClose(npz.get(key + ".x_s" + res).toFloatArray(),
                                xs.get(l).toFloatArray(), tolerance, key + ".x_s" + res));
                    }
                    if (step == steps.size()) {
                        throw new Enough();
                    }
                }, m));
            } catch (Enough done) {
                // the reference recorded only these steps
            }
            int expectedDraws = steps.stream().mapToInt(s -> s.get("noise_draws").size()).sum()
                    - (c.scales.size() > 1 ? 1 : 0);
            assertEquals(expectedDraws, noise.used(), c.name + ": noise draws");
        }
        return worst[0];
    }

    /** Runs the full recorded run and compares clip(top level, −1, 1) with final_output. */
    static double checkFinal(ReferenceCase c, Denoiser model, double tolerance, NDManager parent) {
        Map<String, NDArray> npz = c.npz;
        List<NDArray> draws = c.draws("full.");
        try (NDManager m = parent.newSubManager()) {
            List<NDArray> initial = c.initial(draws, "x_T." + c.json.get("x_T").get(3).asInt(), m);
            RecordedNoise noise = new RecordedNoise(c.scales.size() > 1 ? draws.subList(1, draws.size()) : draws);
            List<NDArray> out = c.sampler().sample(c.request(model, initial, noise, null, m));
            // the nested reference also draws (β̃ = 0) noise for the last step; we skip it
            assertTrue(noise.left() <= c.scales.size(), c.name + ": " + noise.left() + " draws left");
            return ReferenceCase.assertClose(npz.get(c.name + ".final_output").toFloatArray(),
                    out.get(0).clip(-1, 1).toFloatArray(), tolerance, c.name + ".final_output");
        }
    }

    private static float[] firstHalf(float[] values, boolean doubled) {
        return doubled ? Arrays.copyOf(values, values.length / 2) : values;
    }

    /** The reference's pred_uncond + s·(pred − pred_uncond) from the doubled batch's raw output. */
    private static float[] guided(float[] raw, boolean doubled, double scale) {
        if (!doubled) {
            return raw;
        }
        int half = raw.length / 2;
        float[] out = new float[half];
        for (int i = 0; i < half; i++) {
            out[i] = raw[i] + (float) scale * (raw[half + i] - raw[i]);
        }
        return out;
    }

    /** Wraps a model and keeps host copies of every call. */
    static final class RecordingModel implements Denoiser {
        record Call(List<float[]> inputs, long[] times, List<float[]> outputs) {
        }

        final Denoiser inner;
        final List<Call> calls = new ArrayList<>();

        RecordingModel(Denoiser inner) {
            this.inner = inner;
        }

        @Override
        public List<NDArray> predict(List<NDArray> noisy, NDArray modelTimes, mdm.api.model.Conditioning conditioning) {
            List<NDArray> out = inner.predict(noisy, modelTimes, conditioning);
            calls.add(new Call(noisy.stream().map(NDArray::toFloatArray).toList(), modelTimes.toLongArray(),
                    out.stream().map(NDArray::toFloatArray).toList()));
            return out;
        }
    }
}
