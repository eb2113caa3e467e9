package mdm.core.random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;

class HostRandomTest {
    @Test
    void restoredStateContinuesTheSameSequence() {
        HostRandom a = new HostRandom(42);
        a.normal(7);
        HostRandom b = new HostRandom(a.seed(), a.counter());
        assertArrayEquals(a.normal(100), b.normal(100));
    }

    @Test
    void normalDrawsHaveUnitMomentsAndForksDiffer() {
        float[] x = new HostRandom(1).normal(200_000);
        double mean = 0;
        double sq = 0;
        for (float v : x) {
            mean += v;
            sq += v * v;
        }
        mean /= x.length;
        assertEquals(0.0, mean, 0.01);
        assertEquals(1.0, sq / x.length - mean * mean, 0.01);
        assertNotEquals(new HostRandom(1).fork("a").nextLong(), new HostRandom(1).fork("b").nextLong());
    }
}
