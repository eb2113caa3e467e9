package mdm.diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;
import java.util.Map;
import mdm.api.diffusion.LevelSchedule;
import mdm.api.diffusion.NoiseSchedule;
import mdm.core.config.Json;
import mdm.core.runtime.EngineRuntime;
import mdm.schedules.CosineSchedule;
import mdm.schedules.DeepFloydSchedule;
import mdm.schedules.LinearSchedule;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import mdm.api.Options;
import mdm.core.fixtures.EngineExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Every array of schedules.npz (ml-mdm Sampler buffers, shifted schedules, VDM weights, grids). */
class ScheduleFixtureTest {
    static final double TOLERANCE = 1e-6;
    static EngineRuntime runtime;

    @RegisterExtension
    static final EngineExtension ENGINE = new EngineExtension(r -> runtime = r);
    static NDManager manager;
    static Map<String, NDArray> npz;

    @BeforeAll
    static void load() {
        manager = runtime.newManager();
        npz = Fixture.npz(manager, "schedules.npz");
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    static NoiseSchedule component(String type) {
        return switch (type) {
            case "COSINE" -> new CosineSchedule();
            case "DDPM" -> new LinearSchedule();
            case "DEEPFLOYD" -> new DeepFloydSchedule();
            default -> throw new IllegalArgumentException(type);
        };
    }

    static DiffusionSettings settings(String type, int steps) {
        return DiffusionSettings.parse(Json.parseOptions("{sampler_config: {schedule_type: " + type
                + ", num_diffusion_steps: " + steps + "}}"));
    }

    /** |a − b| ≤ tol·max(1, |b|): absolute for values up to 1, relative above (log-SNR, VDM weights). */
    static void assertClose(double[] expected, double[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            if (Double.isInfinite(expected[i])) {
                assertEquals(expected[i], actual[i], what + "[" + i + "]");
                continue;
            }
            double tol = TOLERANCE * Math.max(1, Math.abs(expected[i]));
            assertTrue(Math.abs(expected[i] - actual[i]) <= tol,
                    what + "[" + i + "]: expected " + expected[i] + " got " + actual[i]);
        }
    }

    static double[] array(String key) {
        NDArray a = npz.get(key);
        assertTrue(a != null, "fixture lacks " + key);
        return a.toType(ai.djl.ndarray.types.DataType.FLOAT64, false).toDoubleArray();
    }

    @Test
    void schedulesAndDerivedArrays() {
        for (String type : List.of("COSINE", "DDPM", "DEEPFLOYD")) {
            for (int steps : new int[] {1000, 32}) {
                String key = type + ".n" + steps;
                DiffusionSettings s = settings(type, steps);
                double[] raw = component(type).gammas(steps, s.scheduleOptions());
                assertClose(array(key + ".gammas_float64_raw"), raw, key + ".gammas_float64_raw");

                double[] base = LevelSchedules.base(s, raw);
                assertClose(array(key + ".gammas"), base, key + ".gammas");
                double[] alpha = new double[base.length];
                double[] sigma = new double[base.length];
                double[] logSnr = new double[base.length];
                for (int i = 0; i < base.length; i++) {
                    alpha[i] = Math.sqrt(base[i]);
                    sigma[i] = Math.sqrt(1 - base[i]);
                    logSnr[i] = Gammas.logSnr(base[i]);
                }
                assertClose(array(key + ".alpha"), alpha, key + ".alpha");
                assertClose(array(key + ".sigma"), sigma, key + ".sigma");
                assertClose(array(key + ".logsnr"), logSnr, key + ".logsnr");

                float[] w = new MultiResolutionProcess(s, base, List.of(1)).vdmWeights();
                double[] wd = new double[w.length];
                for (int i = 0; i < w.length; i++) {
                    wd[i] = w[i];
                }
                assertClose(array(key + ".vdm_loss_weights"), wd, key + ".vdm_loss_weights");
            }
        }
    }

    /** The shifted schedules through the path the process uses: a nested model's level schedules. */
    @Test
    void shiftedSchedules() {
        double[] raw = new DeepFloydSchedule().gammas(1000, Options.empty());
        for (int scale : new int[] {2, 4, 8}) {
            for (int power : new int[] {1, 2}) {
                DiffusionSettings s = DiffusionSettings.parse(Json.parseOptions("{no_use_residual: true, sampler_config: {"
                        + "schedule_type: DEEPFLOYD, num_diffusion_steps: 1000, schedule_shifted: true,"
                        + " schedule_shifted_power: " + power + "}}"));
                List<LevelSchedule> levels = LevelSchedules.build(s, LevelSchedules.base(s, raw), List.of(scale, 1));
                String key = "DEEPFLOYD.n1000.shifted_scale" + scale + "_power" + power;
                double[] g = levels.get(0).gammas();
                assertClose(array(key + ".gammas"), g, key + ".gammas");
                double[] logSnr = new double[g.length];
                for (int i = 0; i < g.length; i++) {
                    logSnr[i] = Gammas.logSnr(g[i]);
                }
                assertClose(array(key + ".logsnr"), logSnr, key + ".logsnr");
                assertEquals(1.0, levels.get(0).signalScale());
                assertClose(array("DEEPFLOYD.n1000.gammas"), levels.get(1).gammas(), "innermost level");
            }
        }
    }

    @Test
    void timestepGrids() {
        for (String key : npz.keySet()) {
            if (key.startsWith("set_timesteps.")) {
                String[] parts = key.split("\\.");
                int n = Integer.parseInt(parts[1].substring(1));
                int steps = Integer.parseInt(parts[2].substring(5));
                long[] expected = npz.get(key).toLongArray();
                int[] grid = TimeGrid.reference(n, steps);
                assertArrayEquals(java.util.Arrays.stream(expected).mapToInt(v -> (int) v).toArray(), grid, key);
            }
        }
    }

    /** Appendix B anchors not covered by the arrays above. */
    @Test
    void appendixAnchors() {
        assertArrayEquals(new int[] {981, 962, 942, 922, 903}, java.util.Arrays.copyOf(TimeGrid.reference(1000, 50), 5));
        int[] g50 = TimeGrid.reference(1000, 50);
        assertArrayEquals(new int[] {59, 39, 20, 0}, java.util.Arrays.copyOfRange(g50, 47, 51));
        assertArrayEquals(new int[] {991, 981, 971}, java.util.Arrays.copyOf(TimeGrid.reference(1000, 100), 3));
        assertArrayEquals(new int[] {997, 993, 989}, java.util.Arrays.copyOf(TimeGrid.reference(1000, 250), 3));
        assertArrayEquals(new int[] {9, 7, 4, 2, 0}, TimeGrid.reference(10, 4));
        assertArrayEquals(new int[] {10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0}, TimeGrid.reference(10, 10));

        DiffusionSettings s = settings("DEEPFLOYD", 1000);
        float[] w = new MultiResolutionProcess(s, new DeepFloydSchedule(), List.of(1)).vdmWeights();
        assertEquals(1.116981, w[0], 1e-6);
        assertEquals(1.116981, w[1], 1e-6);
        assertEquals(1.116981, w[2], 1e-6);
        assertEquals(0.582903, w[3], 1e-6);
        assertEquals(999.0024, w[1000], 1e-4);
    }

    @Test
    void trailingGridStartsFromPureNoise() {
        assertArrayEquals(new int[] {1000, 950, 900}, java.util.Arrays.copyOf(TimeGrid.of(TimeGrid.Spacing.TRAILING, 1000, 20), 3));
        assertArrayEquals(new int[] {10, 8, 5, 2, 0}, TimeGrid.of(TimeGrid.Spacing.TRAILING, 10, 4));
        assertArrayEquals(TimeGrid.reference(1000, 1000), TimeGrid.of(TimeGrid.Spacing.TRAILING, 1000, 1000));
    }
}
