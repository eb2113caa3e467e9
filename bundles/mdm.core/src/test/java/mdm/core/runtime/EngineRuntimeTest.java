package mdm.core.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import mdm.api.MdmException;
import mdm.core.tensor.Scalars;
import org.junit.jupiter.api.Test;
import mdm.core.fixtures.EngineExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

class EngineRuntimeTest {
    static EngineRuntime runtime;

    @RegisterExtension
    static final EngineExtension ENGINE = new EngineExtension(r -> runtime = r);

    @Test
    void startsOfflinePyTorchOnCpu() {
        assertEquals(Device.cpu(), runtime.device());
        assertTrue(runtime.engineVersion().startsWith("PyTorch 2.5.1"), runtime.engineVersion());
        assertEquals("true", System.getProperty("ai.djl.offline"));
    }

    /** d/dx sum(3·x² + x) = 6x + 1, with a garbage collection forced between forward and backward. */
    @Test
    void autogradGradientSurvivesGarbageCollection() {
        for (int trial = 0; trial < 5; trial++) {
            try (NDManager m = runtime.newManager()) {
                NDArray x = m.create(new float[] {1f, -2f, 0.5f});
                x.setRequiresGradient(true);
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray y = Scalars.mul(x.square(), 3.0).add(x).sum();
                    System.gc();
                    System.runFinalization();
                    gc.backward(y);
                }
                assertArrayEquals(new float[] {7f, -11f, 4f}, x.getGradient().toFloatArray(), 1e-6f);
            }
        }
    }

    @Test
    void absentGpuIsAClearError() {
        MdmException e = assertThrows(MdmException.class, () -> DeviceSpec.resolve("gpu:1", 0));
        assertTrue(e.getMessage().contains("sees 0 GPU"), e.getMessage());
        assertThrows(MdmException.class, () -> DeviceSpec.resolve("tpu", 0));
        assertEquals(Device.gpu(1), DeviceSpec.resolve("gpu:1", 2).get(0));
    }
}
