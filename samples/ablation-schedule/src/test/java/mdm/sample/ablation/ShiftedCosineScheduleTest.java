package mdm.sample.ablation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.annotation.Annotation;
import org.junit.jupiter.api.Test;

class ShiftedCosineScheduleTest {
    static ShiftedCosineSchedule.Config config(double shift) {
        return new ShiftedCosineSchedule.Config() {
            public double shift() {
                return shift;
            }

            public double logsnr_limit() {
                return 15;
            }

            public Class<? extends Annotation> annotationType() {
                return ShiftedCosineSchedule.Config.class;
            }
        };
    }

    /** At t = 1/2, tan(π/4) = 1, so logSNR = −2·ln(shift): with shift 1 the signal and noise are equal. */
    @Test
    void midpointAndShift() {
        double[] plain = new ShiftedCosineSchedule(config(1)).gammas(1000, null);
        double[] shifted = new ShiftedCosineSchedule(config(4)).gammas(1000, null);
        assertEquals(0.5, plain[500], 1e-12);
        assertEquals(1 / (1 + 16.0), shifted[500], 1e-12);
        assertEquals(1.0, plain[0]);
        assertTrue(plain[1000] < 1e-6 && plain[1000] > 0, "clipped at logSNR −15");
        for (int i = 1; i <= 1000; i++) {
            assertTrue(shifted[i] <= plain[i], "the shift only removes signal");
        }
    }
}
