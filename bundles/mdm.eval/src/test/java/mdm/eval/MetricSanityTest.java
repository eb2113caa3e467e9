package mdm.eval;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import mdm.api.data.Sample;
import mdm.api.eval.Features;
import mdm.core.random.HostRandom;
import mdm.core.runtime.EngineRuntime;
import mdm.eval.featurenet.CnnFeatureNetwork;
import mdm.eval.metrics.FrechetDistance;
import mdm.eval.metrics.Neighbourhoods;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import mdm.core.fixtures.EngineExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The disturbance experiments of Heusel et al. in our own feature space (shipped Fashion-MNIST
 * network, N = 1,000 per side so that CI stays fast): FD rises with Gaussian noise and with blur,
 * and dropping half of the classes lowers recall and coverage and raises FD while precision stays
 * high. (FD of train vs test against an untrained model: CheckpointEvaluationTest in mdm.trainer.)
 */
class MetricSanityTest {
    static final int N = 1000;
    static EngineRuntime runtime;

    @RegisterExtension
    static final EngineExtension ENGINE = new EngineExtension(r -> runtime = r);
    static CnnFeatureNetwork network;
    static Features train;
    static List<Sample> test;
    static double floor;

    @BeforeAll
    static void setUp() throws Exception {
        Fmnist.assumeInstalled();
        network = Fmnist.builtIn("fashion-mnist", runtime);
        train = network.embed(Fmnist.samples("train", N, 0));
        test = Fmnist.samples("test", N, 0);
        floor = fd(network.embed(test));
    }

    @AfterAll
    static void tearDown() {
        if (network != null) {
            network.close();
        }
    }

    static double fd(Features f) {
        try (NDManager m = runtime.newManager()) {
            return FrechetDistance.compute(train, f, m);
        }
    }

    @Test
    void fdRisesWithGaussianNoise() {
        double previous = floor;
        StringBuilder log = new StringBuilder("FD train vs test " + String.format("%.3f", floor));
        for (double sigma : new double[] {0.05, 0.1, 0.2, 0.4}) {
            HostRandom random = new HostRandom(7);
            List<Sample> noisy = new ArrayList<>();
            for (Sample s : test) {
                float[] px = s.pixels().clone();
                float[] z = random.normal(px.length);
                for (int i = 0; i < px.length; i++) {
                    // σ on the [0, 1] intensity scale: twice that in [-1, 1] pixels
                    px[i] = Math.max(-1f, Math.min(1f, px[i] + (float) (2 * sigma) * z[i]));
                }
                noisy.add(copy(s, px));
            }
            double fd = fd(network.embed(noisy));
            log.append(String.format(", σ=%.2f: %.3f", sigma, fd));
            assertTrue(fd > previous, log.toString());
            previous = fd;
        }
        System.out.println(log);
    }

    @Test
    void fdRisesWithBlur() {
        double previous = floor;
        StringBuilder log = new StringBuilder("FD with blur radius");
        for (int radius = 1; radius <= 3; radius++) {
            List<Sample> blurred = new ArrayList<>();
            for (Sample s : test) {
                blurred.add(copy(s, boxBlur(s.pixels(), s.channels(), s.width(), radius)));
            }
            double fd = fd(network.embed(blurred));
            log.append(String.format(" %d: %.3f", radius, fd));
            assertTrue(fd > previous, log.toString());
            previous = fd;
        }
        System.out.println(log);
    }

    @Test
    void droppingHalfTheClassesLowersRecallAndCoverageNotPrecision() {
        List<Sample> half = new ArrayList<>();
        for (Sample s : Fmnist.samples("test", 4 * N, 0)) {
            if (s.label() < 5 && half.size() < N) {
                half.add(s);
            }
        }
        Features all = network.embed(test);
        Features five = network.embed(half);
        try (NDManager m = runtime.newManager()) {
            Neighbourhoods.Result full = Neighbourhoods.compute(train, all, 3, 5, m);
            Neighbourhoods.Result dropped = Neighbourhoods.compute(train, five, 3, 5, m);
            double fdDropped = FrechetDistance.compute(train, five, m);
            String log = "all classes " + full + " fd " + floor + "; classes 0-4 " + dropped + " fd " + fdDropped;
            System.out.println(log);
            assertTrue(dropped.recall() < full.recall() - 0.1, log);
            assertTrue(dropped.coverage() < full.coverage() - 0.1, log);
            assertTrue(fdDropped > 2 * floor, log);
            assertTrue(dropped.precision() > 0.9 * full.precision(), log);
        }
    }

    private static Sample copy(Sample s, float[] px) {
        return new Sample(px, s.frames(), s.channels(), s.height(), s.width(), s.label(), s.caption(), s.id());
    }

    /** A (2r+1)² mean filter per channel, edges clamped. */
    static float[] boxBlur(float[] px, int channels, int size, int r) {
        float[] out = new float[px.length];
        int plane = size * size;
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    double sum = 0;
                    int n = 0;
                    for (int dy = -r; dy <= r; dy++) {
                        for (int dx = -r; dx <= r; dx++) {
                            int yy = Math.min(size - 1, Math.max(0, y + dy));
                            int xx = Math.min(size - 1, Math.max(0, x + dx));
                            sum += px[c * plane + yy * size + xx];
                            n++;
                        }
                    }
                    out[c * plane + y * size + x] = (float) (sum / n);
                }
            }
        }
        return out;
    }
}
