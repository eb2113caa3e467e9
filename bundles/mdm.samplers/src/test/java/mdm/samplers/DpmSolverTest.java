package mdm.samplers;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.Map;
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
import mdm.schedules.DeepFloydSchedule;
import org.junit.jupiter.api.Test;
import mdm.core.fixtures.EngineExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * DPM-Solver++(2M) against the exact solution on Gaussian data (μ ∈ [−0.5, 0.5] per pixel, s = 0.5)
 * with the DeepFloyd schedule, N = 1000.
 *
 * <p>Tolerance: 20 steps must land within 1/255 (3.9e-3, half an 8-bit quantisation step of an image
 * in [−1, 1]) of 1,000-step DDIM, i.e. the two would write the same PNG up to rounding ties. That is
 * the scale of DDIM-1000's own discretisation error (first order: it is itself ≈ 3e-3 from the exact
 * ODE solution), so a tighter bound would test DDIM rather than DPM-Solver++. Both runs use the
 * trailing grid so that both start from x_T at γ[1000]; the reference grid would start 20 steps at
 * γ[953], a different ODE initial condition.
 */
class DpmSolverTest {
    static EngineRuntime runtime;

    @RegisterExtension
    static final EngineExtension ENGINE = new EngineExtension(r -> runtime = r);

    static float[] run(Sampler sampler, GaussianData data, List<LevelSchedule> levels, NDArray xT, int steps,
            String options) {
        SamplingRequest r = new SamplingRequest(data.denoiser(), levels, PredictionType.X0, Thresholding.NONE,
                List.of(xT), new Conditioning(null, null, Map.of()), null, 1.0, steps, Json.parseOptions(options),
                new HostRandom(0), null);
        return sampler.sample(r).get(0).toFloatArray();
    }

    @Test
    void twentyStepsReachThousandStepDdim() {
        DiffusionSettings s = DiffusionSettings.parse(Json.parseOptions("sampler_config: {schedule_type: DEEPFLOYD, num_diffusion_steps: 1000}"));
        List<LevelSchedule> levels = LevelSchedules.build(s, new DeepFloydSchedule(), List.of(1));
        try (NDManager m = runtime.newManager()) {
            Shape image = new Shape(3, 8, 8);
            GaussianData data = new GaussianData(levels.get(0).gammas(), 0.5, image, m, 11);
            NDArray xT = new HostRandom(12).normal(new Shape(4, 3, 8, 8), m);
            float[] exact = data.exact(xT, 1000);
            float[] ddim = run(new DdimSampler(), data, levels, xT, 1000, "{eta: 0}");
            double ddimError = GaussianData.maxDiff(ddim, exact);
            System.out.printf("DDIM 1000 steps: max |x - x*| = %.2e%n", ddimError);
            System.out.println("steps  dpm-solver++ |x-x*|  |x-DDIM1000|   ddim |x-x*|   (trailing grid)");
            double[] dpmErrors = new double[4];
            int[] counts = {5, 10, 20, 50};
            for (int i = 0; i < counts.length; i++) {
                float[] dpm = run(new DpmSolverSampler(), data, levels, xT, counts[i], "{timestep_spacing: trailing}");
                float[] ddimN = run(new DdimSampler(), data, levels, xT, counts[i], "{timestep_spacing: trailing}");
                dpmErrors[i] = GaussianData.maxDiff(dpm, exact);
                System.out.printf("%5d  %19.2e  %12.2e  %12.2e%n", counts[i], dpmErrors[i],
                        GaussianData.maxDiff(dpm, ddim), GaussianData.maxDiff(ddimN, exact));
                assertTrue(dpmErrors[i] < GaussianData.maxDiff(ddimN, exact), "DPM-Solver++ beats DDIM at " + counts[i]);
                if (counts[i] == 20) {
                    assertTrue(GaussianData.maxDiff(dpm, ddim) < 1 / 255.0, "20 steps within 1/255 of DDIM-1000");
                }
            }
            assertTrue(ddimError < 5e-3, "DDIM-1000 itself is close to the exact solution");
            assertTrue(dpmErrors[0] > dpmErrors[1] && dpmErrors[1] > dpmErrors[2], "error falls with the step count");

            // on the reference grid the start index moves with the step count; compare with the exact
            // solution from that start
            float[] ref20 = run(new DpmSolverSampler(), data, levels, xT, 20, "{}");
            double refError = GaussianData.maxDiff(ref20, data.exact(xT, mdm.diffusion.TimeGrid.reference(1000, 20)[0]));
            System.out.printf("reference grid, 20 steps from t=953: max |x - x*(953)| = %.2e%n", refError);
            assertTrue(refError < 1 / 255.0);
        }
    }
}
