package mdm.nn.unet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import java.nio.file.Path;
import mdm.core.runtime.EngineRuntime;
import mdm.core.runtime.TorchNatives;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * The rehearsal of "your own PyTorch" (surefire execution external-natives of this module): no
 * natives on the class path, libtorch and libdjl_torch.so come from the folder in
 * PYTORCH_LIBRARY_PATH, and the parity tests of the same execution run on them.
 */
@EnabledIfEnvironmentVariable(named = TorchNatives.LIBRARY_PATH, matches = ".+")
class ExternalNativesTest {
    @Test
    void nativesComeFromTheFolderOnly() {
        ClassLoader djl = Engine.class.getClassLoader();
        assertNull(djl.getResource("native/lib/pytorch.properties"), "pytorch-native jar on the class path");
        assertNull(djl.getResource("jnilib/pytorch.properties"), "pytorch-jni jar on the class path");
        Path folder = Path.of(System.getenv(TorchNatives.LIBRARY_PATH)).toAbsolutePath();
        try (EngineRuntime runtime = EngineRuntime.standalone()) {
            TorchNatives natives = runtime.natives();
            assertTrue(natives.external(), natives.describe());
            assertEquals(folder, natives.folder());
            assertEquals(folder.resolve("libdjl_torch.so"), natives.jni());
            assertTrue(runtime.engineVersion().startsWith("PyTorch " + System.getenv(TorchNatives.VERSION)),
                    runtime.engineVersion());
            System.out.println("external natives: " + natives.describe());
        }
    }
}
