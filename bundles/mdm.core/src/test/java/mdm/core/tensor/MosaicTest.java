package mdm.core.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import mdm.core.runtime.EngineRuntime;
import org.junit.jupiter.api.Test;
import mdm.core.fixtures.EngineExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Mosaic tiling ({@code b c (n h) (n w) <-> (b n n) c h w}) and nearest-neighbour upsampling. */
class MosaicTest {
    static EngineRuntime runtime;

    @RegisterExtension
    static final EngineExtension ENGINE = new EngineExtension(r -> runtime = r);

    @Test
    void tilesAreRowMajorAndRoundTrip() {
        try (NDManager m = runtime.newManager()) {
            // a 4×4 mosaic of 16 one-pixel frames holding their frame number, two samples, one channel
            float[] v = new float[32];
            for (int i = 0; i < 32; i++) {
                v[i] = i;
            }
            NDArray x = m.create(v, new Shape(2, 1, 4, 4));
            NDArray tiles = Mosaic.tilesToBatch(x, 2);
            assertEquals(new Shape(8, 1, 2, 2), tiles.getShape());
            // tile (0, 1) of sample 0 holds frames 2, 3, 6, 7
            assertArrayEquals(new float[] {2, 3, 6, 7}, tiles.get("1").toFloatArray());
            assertArrayEquals(new float[] {26, 27, 30, 31}, tiles.get("7").toFloatArray());
            assertArrayEquals(v, Mosaic.batchToTiles(tiles, 2).toFloatArray());
            NDArray frames = Mosaic.frames(x, 4);
            assertEquals(new Shape(2, 16, 1, 1, 1), frames.getShape());
            assertEquals(5f, frames.getFloat(0, 5, 0, 0, 0));
            assertArrayEquals(v, Mosaic.fromFrames(frames, 4).toFloatArray());
        }
    }

    @Test
    void nearestCopiesEachValueIntoABlock() {
        try (NDManager m = runtime.newManager()) {
            NDArray x = m.create(new float[] {1, 2, 3, 4}, new Shape(1, 1, 2, 2));
            assertArrayEquals(new float[] {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4},
                    Resize.nearest2x(x).toFloatArray());
            NDArray seq = m.create(new float[] {1, 2, 3}, new Shape(1, 1, 3));
            assertArrayEquals(new float[] {1, 1, 2, 2, 3, 3}, Resize.nearest2x(seq).toFloatArray());
        }
    }
}
