package mdm.diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import mdm.core.runtime.EngineRuntime;
import mdm.core.tensor.Mosaic;
import org.junit.jupiter.api.Test;
import mdm.core.config.Json;
import mdm.core.fixtures.EngineExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Video (fact sheet §2.8): a temporal level keeps frames 0, 4, 8, 12 of the 4×4 mosaic as a 2×2 mosaic. */
class FramePyramidTest {
    static EngineRuntime runtime;

    @RegisterExtension
    static final EngineExtension ENGINE = new EngineExtension(r -> runtime = r);

    @Test
    void temporalLevelKeepsEveryFourthFrameAtFullResolution() {
        try (NDManager m = runtime.newManager()) {
            int h = 2;
            float[] v = new float[16 * 3 * h * h];
            for (int f = 0; f < 16; f++) {
                java.util.Arrays.fill(v, f * 3 * h * h, (f + 1) * 3 * h * h, f);
            }
            NDArray clip = m.create(v, new Shape(1, 16, 3, h, h));
            NDArray mosaic = Mosaic.fromFrames(clip, 4);
            MultiResolutionProcess images = new MultiResolutionProcess(DiffusionSettings.parse(Json.parseOptions(
                    "{use_double_loss: true, no_use_residual: true}")), linear(1000), List.of(2, 1));
            MultiResolutionProcess p = images.withFramePyramid(List.of(false, true), 4);
            // the original stays an image process: its lower level is the area down-sampled mosaic
            assertEquals(new Shape(1, 3, 4 * h, 4 * h), mosaic.getShape());
            NDArray averaged = images.pyramid(mosaic).get(1);
            assertEquals(new Shape(1, 3, 2 * h, 2 * h), averaged.getShape());
            // column 2 of the 2× smaller mosaic averages mosaic columns 4-5, frame 2; the frame pyramid keeps frame 4 there
            assertEquals(2f, averaged.getFloat(0, 0, 0, 2), 1e-6f);
            assertEquals(4f, p.pyramid(mosaic).get(1).getFloat(0, 0, 0, 2), 1e-6f);
            List<NDArray> levels = p.pyramid(mosaic);
            assertEquals(new Shape(1, 3, 2 * h, 2 * h), levels.get(1).getShape());
            NDArray kept = Mosaic.frames(levels.get(1), 2);
            float[] firstPixel = new float[4];
            for (int f = 0; f < 4; f++) {
                firstPixel[f] = kept.getFloat(0, f, 0, 0, 0);
            }
            assertArrayEquals(new float[] {0, 4, 8, 12}, firstPixel);
        }
    }

    private static double[] linear(int n) {
        double[] g = new double[n + 1];
        for (int i = 0; i <= n; i++) {
            g[i] = 1.0 - (double) i / (n + 1);
        }
        return g;
    }
}
