package mdm.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import mdm.api.data.Sample;
import mdm.core.image.FloatImage;
import mdm.core.image.TensorImages;
import mdm.core.runtime.EngineRuntime;
import org.junit.jupiter.api.Test;
import mdm.core.fixtures.EngineExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

class BatchesTest {
    static EngineRuntime runtime;

    @RegisterExtension
    static final EngineExtension ENGINE = new EngineExtension(r -> runtime = r);

    private static Sample sample(int frames, float base, int label) {
        float[] px = new float[frames * 3 * 2 * 2];
        for (int i = 0; i < px.length; i++) {
            px[i] = base + i * 0.01f;
        }
        return new Sample(px, frames, 3, 2, 2, label, null, "s");
    }

    @Test
    void imagesAndClipsBecomeBatchTensorsAndBack() {
        try (NDManager m = runtime.newManager()) {
            NDArray images = Batches.pixels(List.of(sample(1, 0f, 3), sample(1, 0.5f, -1)), m);
            assertEquals(new Shape(2, 3, 2, 2), images.getShape());
            List<FloatImage> back = TensorImages.images(images);
            assertArrayEquals(sample(1, 0.5f, 0).pixels(), back.get(1).data());
            assertArrayEquals(new int[] {3, -1}, Batches.labels(List.of(sample(1, 0f, 3), sample(1, 0.5f, -1)), m).toIntArray());

            NDArray clips = Batches.pixels(List.of(sample(4, 0f, 0), sample(4, 1f, 0), sample(4, 2f, 0)), m);
            assertEquals(new Shape(3, 4, 3, 2, 2), clips.getShape());
            assertEquals(4, TensorImages.clips(clips).get(2).size());
            assertEquals(2f + 12 * 0.01f, TensorImages.clips(clips).get(2).get(1).data()[0], 1e-6f);
            assertThrows(IllegalArgumentException.class, () -> Batches.pixels(List.of(sample(1, 0f, 0), sample(2, 0f, 0)), m));
        }
    }
}
