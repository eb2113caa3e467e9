package mdm.core.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import mdm.api.MdmException;
import mdm.core.runtime.EngineRuntime;
import org.junit.jupiter.api.Test;
import mdm.core.fixtures.EngineExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

class AreaDownsampleTest {
    static EngineRuntime runtime;

    @RegisterExtension
    static final EngineExtension ENGINE = new EngineExtension(r -> runtime = r);

    /** The reference's 16² clean image is avg_pool2d(x0 at 32², 2) (nested32_inputs.npz). */
    @Test
    void matchesTheReferencePyramid() throws IOException {
        Path file = Path.of(System.getProperty("mdm.testdata", "testdata"), "ml-mdm", "nested32_inputs.npz");
        try (NDManager m = runtime.newManager(); InputStream in = Files.newInputStream(file)) {
            NDList all = NDList.decode(m, in);
            NDArray high = all.get("x0.32");
            NDArray low = all.get("x0.16");
            NDArray pooled = AreaDownsample.apply(high, 2);
            assertEquals(low.getShape(), pooled.getShape());
            assertArrayEquals(low.toFloatArray(), pooled.toFloatArray(), 1e-6f);
        }
    }

    @Test
    void averagesBlocks() {
        try (NDManager m = runtime.newManager()) {
            NDArray x = m.arange(16f).reshape(1, 1, 4, 4);
            assertArrayEquals(new float[] {2.5f, 4.5f, 10.5f, 12.5f}, AreaDownsample.apply(x, 2).toFloatArray());
            assertArrayEquals(new float[] {7.5f}, AreaDownsample.apply(x, 4).toFloatArray());
            assertArrayEquals(x.toFloatArray(), AreaDownsample.apply(x, 1).toFloatArray());
        }
    }

    @Test
    void rejectsSidesThatAreNotMultiples() {
        try (NDManager m = runtime.newManager()) {
            NDArray x = m.zeros(new Shape(1, 3, 6, 6));
            assertThrows(MdmException.class, () -> AreaDownsample.apply(x, 4));
            assertThrows(MdmException.class, () -> AreaDownsample.apply(m.zeros(new Shape(3, 6, 6)), 2));
        }
    }
}
