package mdm.samplers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import mdm.api.MdmException;
import mdm.api.diffusion.LevelSchedule;
import mdm.api.diffusion.PredictionType;
import mdm.api.diffusion.Sampler;
import mdm.api.diffusion.SamplingListener;
import mdm.api.diffusion.SamplingRequest;
import mdm.api.diffusion.Thresholding;
import mdm.api.model.Conditioning;
import mdm.core.config.Json;
import mdm.core.random.HostRandom;
import mdm.core.runtime.EngineRuntime;
import mdm.diffusion.DiffusionSettings;
import mdm.diffusion.MultiResolutionProcess;
import mdm.schedules.DeepFloydSchedule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import mdm.api.Options;
import mdm.core.fixtures.EngineExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

class SamplersTest {
    static EngineRuntime runtime;

    @RegisterExtension
    static final EngineExtension ENGINE = new EngineExtension(r -> runtime = r);
    static MultiResolutionProcess process;

    @BeforeAll
    static void start() {
        DiffusionSettings s = DiffusionSettings.parse(Json.parseOptions(
                "{no_use_residual: true, sampler_config: {schedule_type: DEEPFLOYD, num_diffusion_steps: 100,"
                        + " prediction_type: V_PREDICTION, schedule_shifted: true, threshold_function: dynamic}}"));
        process = new MultiResolutionProcess(s, new DeepFloydSchedule(), List.of(4, 1));
    }

    static SamplingRequest request(NDManager m, long seed, double guidance, int steps, String options,
            SamplingListener listener) {
        HostRandom random = new HostRandom(seed);
        List<NDArray> x = process.initialNoise(2, 3, 16, random, m);
        Conditioning cond = new Conditioning(m.ones(new Shape(2, 4, 8)), m.ones(new Shape(2, 4)), Map.of());
        Conditioning uncond = new Conditioning(m.zeros(new Shape(2, 4, 8)), m.ones(new Shape(2, 4)), Map.of());
        return new SamplingRequest(new DummyDenoiser(), process.levels(), PredictionType.V, Thresholding.DYNAMIC, x,
                cond, guidance == 1 ? null : uncond, guidance, steps, Json.parseOptions(options), random, listener);
    }

    @Test
    void sameSeedSameSamples() {
        for (Sampler sampler : List.of(new AncestralSampler(), new DdimSampler(), new DpmSolverSampler())) {
            try (NDManager m = runtime.newManager()) {
                List<NDArray> a = sampler.sample(request(m, 5, 2.0, 10, "{}", null));
                List<NDArray> b = sampler.sample(request(m, 5, 2.0, 10, "{}", null));
                List<NDArray> c = sampler.sample(request(m, 6, 2.0, 10, "{}", null));
                assertEquals(2, a.size());
                assertEquals(new Shape(2, 3, 16, 16), a.get(0).getShape());
                assertEquals(new Shape(2, 3, 4, 4), a.get(1).getShape());
                assertArrayEquals(a.get(0).toFloatArray(), b.get(0).toFloatArray());
                assertArrayEquals(a.get(1).toFloatArray(), b.get(1).toFloatArray());
                assertTrue(GaussianData.maxDiff(a.get(0).toFloatArray(), c.get(0).toFloatArray()) > 0.01);
            }
        }
    }

    @Test
    void listenerSeesEveryStepOfEveryLevel() {
        try (NDManager m = runtime.newManager()) {
            List<int[]> seen = new ArrayList<>();
            new DpmSolverSampler().sample(request(m, 1, 1.0, 8, "{}", (step, total, t, s, xs, x0) -> {
                assertEquals(2, xs.size());
                assertEquals(2, x0.size());
                assertEquals(new Shape(2, 3, 4, 4), xs.get(1).getShape());
                seen.add(new int[] {step, total, t, s});
            }));
            assertEquals(8, seen.size());
            assertArrayEquals(new int[] {1, 8, 90, 79}, seen.get(0));
            assertArrayEquals(new int[] {8, 8, 11, 0}, seen.get(7));
        }
    }

    /** Memory stays flat over the steps, and the caller's manager only gains the results. */
    @Test
    void stepsDoNotLeak() {
        for (Sampler sampler : List.of(new AncestralSampler(), new DdimSampler(), new DpmSolverSampler())) {
            try (NDManager m = runtime.newManager()) {
                List<Integer> live = new ArrayList<>();
                SamplingRequest r = request(m, 1, 3.0, 12, "{}",
                        (step, total, t, s, xs, x0) -> live.add(m.getManagedArrays().size()));
                int before = m.getManagedArrays().size();
                List<NDArray> out = sampler.sample(r);
                assertEquals(before + out.size(), m.getManagedArrays().size(), sampler.getClass().getSimpleName());
                assertEquals(live.get(3), live.get(10), sampler.getClass().getSimpleName() + " arrays per step " + live);
            }
        }
    }

    @Test
    void badRequestsAreClearErrors() {
        try (NDManager m = runtime.newManager()) {
            MdmException e = assertThrows(MdmException.class,
                    () -> new DdimSampler().sample(request(m, 1, 1.0, 10, "{eta: -1}", null)));
            assertTrue(e.getMessage().contains("eta"), e.getMessage());
            e = assertThrows(MdmException.class,
                    () -> new DdimSampler().sample(request(m, 1, 1.0, 10, "{etta: 1}", null)));
            assertTrue(e.getMessage().contains("did you mean 'eta'"), e.getMessage());
            e = assertThrows(MdmException.class,
                    () -> new AncestralSampler().sample(request(m, 1, 1.0, 101, "{}", null)));
            assertTrue(e.getMessage().contains("1..100"), e.getMessage());
            e = assertThrows(MdmException.class,
                    () -> new DpmSolverSampler().sample(request(m, 1, 1.0, 10, "{timestep_spacing: leading}", null)));
            assertTrue(e.getMessage().contains("reference or trailing"), e.getMessage());
            SamplingRequest r = request(m, 1, 1.0, 10, "{}", null);
            SamplingRequest guidedWithoutUncond = new SamplingRequest(r.model(), r.levels(), r.prediction(),
                    r.thresholding(), r.initial(), r.conditional(), null, 4.0, 10, r.options(), r.noise(), null);
            e = assertThrows(MdmException.class, () -> new DdimSampler().sample(guidedWithoutUncond));
            assertTrue(e.getMessage().contains("unconditional"), e.getMessage());
            SamplingRequest oneLevelMissing = new SamplingRequest(r.model(), r.levels(), r.prediction(),
                    r.thresholding(), r.initial().subList(0, 1), r.conditional(), null, 1.0, 10, r.options(), r.noise(), null);
            e = assertThrows(MdmException.class, () -> new DdimSampler().sample(oneLevelMissing));
            assertTrue(e.getMessage().contains("one x_T per level"), e.getMessage());
        }
    }

    @Test
    void finalSampleIsMultipliedBackByTheSignalScale() {
        DiffusionSettings s = DiffusionSettings.parse(Json.parseOptions(
                "{no_use_residual: true, sampler_config: {schedule_type: DEEPFLOYD, num_diffusion_steps: 50,"
                        + " prediction_type: V_PREDICTION, threshold_function: clip}}"));
        MultiResolutionProcess unshifted = new MultiResolutionProcess(s, new DeepFloydSchedule(), List.of(2, 1));
        List<LevelSchedule> levels = unshifted.levels();
        assertEquals(2.0, levels.get(0).signalScale());
        try (NDManager m = runtime.newManager()) {
            HostRandom random = new HostRandom(3);
            List<NDArray> x = unshifted.initialNoise(1, 3, 8, random, m);
            List<float[]> last = new ArrayList<>();
            SamplingRequest r = new SamplingRequest(new DummyDenoiser(), levels, PredictionType.V, Thresholding.CLIP, x,
                    new Conditioning(m.ones(new Shape(1, 2, 4)), null, Map.of()), null, 1.0, 50, Options.empty(), random,
                    (step, total, t, sIndex, xs, x0) -> last.add(xs.get(0).toFloatArray())); // valid only in the callback
            List<NDArray> out = new DdimSampler().sample(r);
            float[] top = last.get(last.size() - 1);
            float[] result = out.get(0).toFloatArray();
            for (int i = 0; i < top.length; i++) {
                assertEquals(2 * top[i], result[i], 1e-6f);
            }
            // clip thresholding bounds x0·scale to [−1, 1], so the final sample is in image units
            assertTrue(out.get(0).abs().max().getFloat() <= 1.0001f);
        }
    }
}
