package mdm.schedules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import mdm.api.MdmException;
import mdm.api.diffusion.NoiseSchedule;
import mdm.core.config.Json;
import org.junit.jupiter.api.Test;

/**
 * Anchor values of the reference schedules (fact sheet, Appendix B, run on ml-mdm). The complete
 * arrays of schedules.npz are compared in mdm.diffusion's ScheduleFixtureTest.
 */
class SchedulesTest {
    private static final JsonNode NONE = Json.empty();

    private static double logSnr(double g) {
        return Math.log(g / (1 - g));
    }

    /** The anchors are the reference's float32 buffer values, so compare after rounding to float. */
    private static void assertFloat32(double expected, double actual, double tolerance) {
        assertEquals(expected, (float) actual, tolerance);
    }

    @Test
    void deepFloydAnchors() {
        double[] g = new DeepFloydSchedule().gammas(1000, Json.options(NONE));
        assertEquals(1001, g.length);
        assertEquals(1.0, g[0]);
        assertFloat32(0.9999586940, g[1], 1e-9);
        assertFloat32(0.4938435853, g[500], 1e-9);
        assertFloat32(8.765294e-4, g[981], 1e-9);
        assertFloat32(2.428767e-9, g[1000], 1e-14);
        assertEquals(10.094, logSnr(g[1]), 1e-3);
        assertEquals(-0.025, logSnr(g[500]), 1e-3);
        assertEquals(-7.039, logSnr(g[981]), 1e-3);
        assertEquals(-10.731, logSnr(g[997]), 1e-3);
        assertEquals(-19.836, logSnr(g[1000]), 1e-3);
    }

    @Test
    void cosineAnchors() {
        double[] g = new CosineSchedule().gammas(1000, Json.options(NONE));
        assertEquals(1.0, g[0]);
        assertFloat32(0.99330717, g[1], 1e-8);
        assertFloat32(0.50070423, g[500], 1e-8);
        assertFloat32(0.00669285, g[1000], 1e-8);
        assertEquals(5.0, logSnr(g[1]), 1e-9);
        assertEquals(-5.0, logSnr(g[1000]), 1e-9);
    }

    @Test
    void cosineRangeIsConfigurable() {
        double[] g = new CosineSchedule().gammas(10, Json.parseOptions("{logsnr_min: -8, logsnr_max: 6}"));
        assertEquals(6.0, logSnr(g[1]), 1e-9);
        assertEquals(-8.0, logSnr(g[10]), 1e-9);
    }

    @Test
    void linearAnchors() {
        double[] g = new LinearSchedule().gammas(1000, Json.options(NONE));
        assertEquals(1.0, g[0]);
        assertEquals(0.99990, g[1], 1e-12);
        assertFloat32(0.0785872, g[500], 1e-7);
        assertFloat32(4.03583e-5, g[1000], 1e-10);
        double[] custom = new LinearSchedule().gammas(2, Json.parseOptions("{beta_start: 0.1, beta_end: 0.3}"));
        assertEquals(0.9, custom[1], 1e-15);
        assertEquals(0.9 * 0.7, custom[2], 1e-15);
    }

    /** Values of Chen 2023 Algorithm 1 computed independently with numpy at t = i/N. */
    @Test
    void sigmoidFollowsThePublishedDefinition() {
        double[] g = new SigmoidSchedule().gammas(1000, Json.options(NONE));
        assertEquals(1.0, g[0]);
        assertEquals(0.9996997208002508, g[1], 1e-14);
        assertEquals(0.8508535479296672, g[250], 1e-14);
        assertEquals(0.5, g[500], 1e-14);
        assertEquals(0.149146452070333, g[750], 1e-14);
        assertEquals(0.00030027919974932816, g[999], 1e-14);
        assertEquals(1e-9, g[1000]);

        double[] shifted = new SigmoidSchedule().gammas(1000, Json.parseOptions("{start: 0, end: 3, tau: 1.1}"));
        assertEquals(0.9984455278154752, shifted[1], 1e-14);
        assertEquals(0.32435327617352205, shifted[500], 1e-14);
        assertEquals(0.00035867409277539296, shifted[999], 1e-14);

        double[] sharp = new SigmoidSchedule().gammas(32, Json.parseOptions("{tau: 0.7}"));
        assertEquals(0.9957890696586211, sharp[1], 1e-14);
        assertEquals(0.9060245378343331, sharp[8], 1e-14);
        assertEquals(0.004210930341378852, sharp[31], 1e-14);
    }

    @Test
    void everyScheduleDecreasesFromOne() {
        NoiseSchedule[] all = {new CosineSchedule(), new LinearSchedule(), new DeepFloydSchedule(), new SigmoidSchedule()};
        for (NoiseSchedule s : all) {
            for (int n : new int[] {1, 7, 32, 1000}) {
                double[] g = s.gammas(n, Json.options(NONE));
                assertEquals(n + 1, g.length);
                assertEquals(1.0, g[0]);
                for (int i = 1; i <= n; i++) {
                    assertTrue(g[i] < g[i - 1] || (n == 1 && g[i] <= g[i - 1]), s + " at " + i);
                    assertTrue(g[i] > 0, s + " at " + i);
                }
            }
        }
    }

    @Test
    void badOptionsAreClearErrors() {
        MdmException e = assertThrows(MdmException.class,
                () -> new LinearSchedule().gammas(10, Json.parseOptions("{beta_stat: 0.1}")));
        assertTrue(e.getMessage().contains("did you mean 'beta_start'"), e.getMessage());
        e = assertThrows(MdmException.class, () -> new DeepFloydSchedule().gammas(10, Json.parseOptions("{tau: 1}")));
        assertTrue(e.getMessage().contains("unknown key 'tau'"), e.getMessage());
        e = assertThrows(MdmException.class, () -> new SigmoidSchedule().gammas(10, Json.parseOptions("{start: 3, end: -3}")));
        assertTrue(e.getMessage().contains("start < end"), e.getMessage());
        e = assertThrows(MdmException.class, () -> new CosineSchedule().gammas(0, Json.options(NONE)));
        assertTrue(e.getMessage().contains("num_diffusion_steps"), e.getMessage());
    }
}
