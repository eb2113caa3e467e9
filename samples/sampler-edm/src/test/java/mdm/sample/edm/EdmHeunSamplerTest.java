package mdm.sample.edm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import mdm.api.MdmException;
import mdm.api.Options;
import mdm.api.diffusion.LevelSchedule;
import mdm.api.diffusion.PredictionType;
import mdm.api.diffusion.Sampler;
import mdm.api.diffusion.SamplingRequest;
import mdm.api.diffusion.Thresholding;
import mdm.api.model.Conditioning;
import mdm.core.config.Json;
import mdm.core.random.HostRandom;
import mdm.core.runtime.EngineRuntime;
import mdm.diffusion.DiffusionSettings;
import mdm.diffusion.LevelSchedules;
import mdm.samplers.DdimSampler;
import mdm.schedules.DeepFloydSchedule;
import org.junit.jupiter.api.Test;
import mdm.core.fixtures.EngineExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * edm-heun against closed-form Gaussian data (see {@link GaussianLevels}) on the DeepFloyd schedule,
 * N = 1000: the deterministic sampler converges to the exact probability-flow solution at second
 * order, beats DDIM at the same number of model evaluations from about 47 of them on (not below: on
 * this problem its large early steps cost more), gives the same result for ε, x0 and v
 * models, moves every level of a nested model at once (each on its own shifted schedule), and with
 * churn still draws from the data distribution.
 */
class EdmHeunSamplerTest {
    static EngineRuntime runtime;

    @RegisterExtension
    static final EngineExtension ENGINE = new EngineExtension(r -> runtime = r);

    private static List<LevelSchedule> levels() {
        DiffusionSettings s = DiffusionSettings.parse(Json.parseOptions(
                "{sampler_config: {schedule_type: DEEPFLOYD, num_diffusion_steps: 1000}}"));
        return LevelSchedules.build(s, new DeepFloydSchedule(), List.of(1));
    }

    private static List<NDArray> run(Sampler sampler, GaussianLevels data, PredictionType type, List<NDArray> xT,
                                     int steps, Options options) {
        SamplingRequest r = new SamplingRequest(data.denoiser(type), data.levels, type, Thresholding.NONE, xT,
                new Conditioning(null, null, Map.of()), null, 1.0, steps, options, new HostRandom(5), null);
        return sampler.sample(r);
    }

    @Test
    void deterministicHeunConvergesAtSecondOrderAndBeatsDdimAtEqualEvaluations() {
        List<LevelSchedule> levels = levels();
        try (NDManager m = runtime.newManager()) {
            GaussianLevels data = new GaussianLevels(levels, 0.5, List.of(new Shape(3, 8, 8)), m, 11);
            NDArray xT = new HostRandom(12).normal(new Shape(4, 3, 8, 8), m);
            double[] gammas = levels.get(0).gammas();
            int start = KarrasGrid.of(gammas, 10, Options.empty().bind(EdmOptions.class, "x")).indices()[0];
            assertEquals(80, KarrasGrid.sigma(gammas[start]), 3, "the schedule starts at the paper's σ_max = 80");
            // each sampler against the exact flow from where it starts: DDIM's trailing grid from t = 1000
            float[] exact = data.exact(0, xT, start);
            float[] exactDdim = data.exact(0, xT, 1000);
            System.out.println("edm-heun steps  model evals  |x - x*|    ddim (same evals, trailing) |x - x*|");
            int[] counts = {8, 16, 24, 32, 64};
            double[] errors = new double[counts.length];
            double[] ddimErrors = new double[counts.length];
            for (int i = 0; i < counts.length; i++) {
                int evals = 2 * counts[i] - 1;
                float[] edm = run(new EdmHeunSampler(), data, PredictionType.X0, List.of(xT), counts[i],
                        Options.empty()).get(0).toFloatArray();
                float[] ddim = run(new DdimSampler(), data, PredictionType.X0, List.of(xT), evals,
                        Options.of("timestep_spacing", "trailing")).get(0).toFloatArray();
                errors[i] = GaussianLevels.maxDiff(edm, exact);
                ddimErrors[i] = GaussianLevels.maxDiff(ddim, exactDdim);
                System.out.printf("%14d  %11d  %9.2e  %9.2e%n", counts[i], evals, errors[i], ddimErrors[i]);
            }
            // second order: doubling the steps divides the error by about four (first-order DDIM: by two)
            assertTrue(errors[1] / errors[3] > 3.5 && errors[3] / errors[4] > 3.5,
                    "error ratios " + errors[1] / errors[3] + ", " + errors[3] / errors[4]);
            // on this problem Heun's large early steps cost more than DDIM's until about 47 evaluations
            // (printed above); from there on it wins, by more the more steps
            for (int i = 2; i < counts.length; i++) {
                assertTrue(errors[i] < ddimErrors[i], "edm-heun beats DDIM at " + (2 * counts[i] - 1) + " evaluations");
            }
            assertTrue(errors[4] < ddimErrors[4] / 3, "127 evaluations: a third of DDIM's error");
        }
    }

    @Test
    void epsilonX0AndVModelsGiveTheSameSamplesOnEveryLevelAtOnce() {
        // a nested model: 16² inside 32², the schedule shifted per level as MDM does
        List<LevelSchedule> levels = LevelSchedules.build(DiffusionSettings.parse(Json.parseOptions("{no_use_residual: true, sampler_config:"
                + " {schedule_type: DEEPFLOYD, num_diffusion_steps: 1000, schedule_shifted: true}}")),
                new DeepFloydSchedule(), List.of(2, 1));
        try (NDManager m = runtime.newManager()) {
            GaussianLevels data = new GaussianLevels(levels, 0.5, List.of(new Shape(3, 8, 8), new Shape(3, 4, 4)), m, 3);
            HostRandom noise = new HostRandom(4);
            List<NDArray> xT = List.of(noise.normal(new Shape(2, 3, 8, 8), m), noise.normal(new Shape(2, 3, 4, 4), m));
            List<NDArray> byX0 = run(new EdmHeunSampler(), data, PredictionType.X0, xT, 48, Options.empty());
            for (PredictionType type : List.of(PredictionType.EPSILON, PredictionType.V)) {
                List<NDArray> other = run(new EdmHeunSampler(), data, type, xT, 48, Options.empty());
                for (int l = 0; l < 2; l++) {
                    double d = GaussianLevels.maxDiff(other.get(l).toFloatArray(), byX0.get(l).toFloatArray());
                    assertTrue(d < 2e-3, type + " level " + l + " differs from x0 by " + d);
                }
            }
            int start = KarrasGrid.of(levels.get(0).gammas(), 48, Options.empty().bind(EdmOptions.class, "x")).indices()[0];
            for (int l = 0; l < 2; l++) {
                double error = GaussianLevels.maxDiff(byX0.get(l).toFloatArray(), data.exact(l, xT.get(l), start));
                System.out.printf("level %d (its own shifted σ): 48 Heun steps, |x - x*| = %.2e%n", l, error);
                assertTrue(error < 0.02, "level " + l + " error " + error);
            }
        }
    }

    @Test
    void churnStillSamplesTheDataDistribution() {
        List<LevelSchedule> levels = levels();
        try (NDManager m = runtime.newManager()) {
            GaussianLevels data = new GaussianLevels(levels, 0.5, List.of(new Shape(1, 2, 2)), m, 21);
            NDArray xT = new HostRandom(22).normal(new Shape(4000, 1, 2, 2), m);
            Options churn = Options.of("s_churn", 40, "s_tmin", 0.05, "s_tmax", 50);
            NDArray stochastic = run(new EdmHeunSampler(), data, PredictionType.EPSILON, List.of(xT), 40, churn).get(0);
            NDArray deterministic = run(new EdmHeunSampler(), data, PredictionType.EPSILON, List.of(xT), 40,
                    Options.empty()).get(0);
            assertTrue(GaussianLevels.maxDiff(stochastic.toFloatArray(), deterministic.toFloatArray()) > 0.05,
                    "churn adds fresh noise");
            float[] mu = data.means.get(0).toFloatArray();

            float[] mean = stochastic.mean(new int[] {0}).toFloatArray();
            float[] std = stochastic.sub(stochastic.mean(new int[] {0}, true)).square().mean(new int[] {0}).sqrt()
                    .toFloatArray();
            System.out.println("churn (s_churn 40, 40 steps), 4,000 draws per pixel: mean " + Arrays.toString(mean)
                    + " (data " + Arrays.toString(mu) + "), spread " + Arrays.toString(std) + " (data 0.5)");
            for (int i = 0; i < mu.length; i++) {
                // 4,000 draws: the standard error of the mean is 0.5/√4000 ≈ 0.008
                assertEquals(mu[i], mean[i], 0.04, "mean of pixel " + i);
                assertEquals(0.5, std[i], 0.05, "spread of pixel " + i);
            }
        }
    }

    @Test
    void badOptionsAreNamed() {
        List<LevelSchedule> levels = levels();
        try (NDManager m = runtime.newManager()) {
            GaussianLevels data = new GaussianLevels(levels, 0.5, List.of(new Shape(1, 2, 2)), m, 1);
            List<NDArray> xT = List.of(new HostRandom(2).normal(new Shape(1, 1, 2, 2), m));
            MdmException typo = assertThrows(MdmException.class,
                    () -> run(new EdmHeunSampler(), data, PredictionType.X0, xT, 4, Options.of("s_chur", 1)));
            assertTrue(typo.getMessage().contains("unknown key 's_chur' in edm-heun sampler options: did you mean"
                    + " 's_churn'?"), typo.getMessage());
            MdmException rho = assertThrows(MdmException.class,
                    () -> run(new EdmHeunSampler(), data, PredictionType.X0, xT, 4, Options.of("rho", -1)));
            assertTrue(rho.getMessage().contains("rho must be positive"), rho.getMessage());
            MdmException range = assertThrows(MdmException.class, () -> run(new EdmHeunSampler(), data,
                    PredictionType.X0, xT, 4, Options.of("sigma_min", 5, "sigma_max", 2)));
            assertTrue(range.getMessage().contains("sigma_max"), range.getMessage());
        }
    }
}
