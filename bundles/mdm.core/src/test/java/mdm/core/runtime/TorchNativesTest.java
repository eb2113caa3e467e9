package mdm.core.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.EngineException;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import mdm.api.MdmException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad and good native setups, worked out without loading any native: the errors name what was
 * looked for (folders, files, the three variables) and how to provide it.
 */
class TorchNativesTest {
    @TempDir
    Path dir;

    private final Map<String, String> env = new HashMap<>();

    /** A class loader with DJL's marker resources: the pytorch-native jar's and the pytorch-jni jar's. */
    private ClassLoader djl(boolean bundledNatives, String jniVersion) throws IOException {
        Path res = Files.createDirectories(dir.resolve("classpath"));
        if (bundledNatives) {
            Files.createDirectories(res.resolve("native/lib"));
            Files.writeString(res.resolve("native/lib/pytorch.properties"),
                    "version=2.5.1-20241113\nflavor=cpu\nclassifier=linux-x86_64\n");
        }
        if (jniVersion != null) {
            Files.createDirectories(res.resolve("jnilib"));
            Files.writeString(res.resolve("jnilib/pytorch.properties"), "jni_version=" + jniVersion);
        }
        return new URLClassLoader(new URL[] {res.toUri().toURL()}, null);
    }

    /** A pip-like torch package: torch/version.py beside torch/lib with libtorch.so. */
    private Path torch(String version, boolean cuda) throws IOException {
        Path lib = Files.createDirectories(dir.resolve("site-packages/torch/lib"));
        Files.writeString(lib.resolve("libtorch.so"), "");
        if (cuda) {
            Files.writeString(lib.resolve("libtorch_cuda.so"), "");
        }
        Files.writeString(lib.resolveSibling("version.py"), "__version__ = '" + version + "'\ncuda = '13.0'\n");
        return lib;
    }

    private TorchNatives natives(ClassLoader djl) {
        return TorchNatives.inspect(env::get, dir.resolve("cache"), djl, "0.33.0", cuda -> "cpu-precxx11");
    }

    private String error(ClassLoader djl) {
        return assertThrows(MdmException.class, () -> natives(djl).check()).getMessage();
    }

    @Test
    void bundledNativesNeedNothing() throws IOException {
        TorchNatives n = natives(djl(true, "2.5.1-0.33.0"));
        n.check();
        assertFalse(n.external());
        assertEquals("PyTorch 2.5.1 natives bundled in mdm.djl (cpu)", n.describe());
    }

    @Test
    void noNativesAnywhereNamesTheThreeVariables() throws IOException {
        String m = error(djl(false, null));
        assertTrue(m.contains("mdm.djl.nonatives") && m.contains("PYTORCH_LIBRARY_PATH is not set"), m);
        assertTrue(m.contains("PYTORCH_VERSION") && m.contains("PYTORCH_FLAVOR") && m.contains("gpu/build-jni.sh"), m);
    }

    @Test
    void aPathWithoutLibtorchIsRefusedNotIgnored() throws IOException {
        Files.createDirectories(dir.resolve("empty"));
        env.put("PYTORCH_LIBRARY_PATH", dir.resolve("missing") + ":" + dir.resolve("empty"));
        String m = error(djl(true, "2.5.1-0.33.0"));
        assertTrue(m.contains(dir.resolve("missing") + ": does not exist"), m);
        assertTrue(m.contains(dir.resolve("empty") + ": no libtorch.so in it"), m);
        assertTrue(m.contains("quietly use other natives") && m.contains("torch.__file__"), m);
    }

    @Test
    void missingVersionIsNamedWithTheValueToSet() throws IOException {
        env.put("PYTORCH_LIBRARY_PATH", torch("2.11.0+cu130", true).toString());
        String m = error(djl(false, null));
        assertTrue(m.startsWith("PYTORCH_VERSION is not set: set it to the version of the libtorch in"), m);
        assertTrue(m.contains("(2.11.0, says " + dir.resolve("site-packages/torch/version.py")), m);
    }

    @Test
    void versionThatContradictsThePackageIsRefused() throws IOException {
        env.put("PYTORCH_LIBRARY_PATH", torch("2.11.0+cu130", true).toString());
        env.put("PYTORCH_VERSION", "2.5.1");
        String m = error(djl(true, "2.5.1-0.33.0"));
        assertTrue(m.contains("PYTORCH_VERSION=2.5.1, but the libtorch in") && m.contains("is 2.11.0+cu130"), m);
    }

    /** DJL's own JNI is for 2.5.1: DJL would log a mismatch and download; we say so plainly. */
    @Test
    void bundledJniForAnotherPyTorchIsDjlsVersionCheckInPlainWords() throws IOException {
        Path lib = torch("2.11.0+cu130", true);
        env.put("PYTORCH_LIBRARY_PATH", lib.toString());
        env.put("PYTORCH_VERSION", "2.11.0");
        env.put("PYTORCH_FLAVOR", "cu130");
        String m = error(djl(false, "2.5.1-0.33.0"));
        assertTrue(m.startsWith("DJL's JNI version check: the libdjl_torch.so that comes with DJL (pytorch-jni "
                + "2.5.1-0.33.0) is built for PyTorch 2.5.1, but PYTORCH_VERSION is 2.11.0"), m);
        assertTrue(m.contains(lib.resolve("0.33.0-libdjl_torch.so").toString()), m);
        assertTrue(m.contains(lib.resolve("libdjl_torch.so").toString()), m);
        assertTrue(m.contains(dir.resolve("cache/pytorch/2.11.0-cu130-linux-x86_64/0.33.0-libdjl_torch.so").toString()), m);
        assertTrue(m.contains("gpu/build-jni.sh"), m);
    }

    @Test
    void noJniAtAllListsWhereItWasLookedFor() throws IOException {
        Path lib = torch("2.11.0+cu130", true);
        env.put("PYTORCH_LIBRARY_PATH", lib.toString());
        env.put("PYTORCH_VERSION", "2.11.0");
        env.put("PYTORCH_FLAVOR", "cu130");
        String m = error(djl(false, null));
        assertTrue(m.startsWith("no libdjl_torch.so for PyTorch 2.11.0 (PYTORCH_FLAVOR cu130): looked for "), m);
        assertTrue(m.contains("put it into " + lib), m);
    }

    @Test
    void jniStampedForAnotherPyTorchIsRefused() throws IOException {
        Path lib = torch("2.11.0+cu130", true);
        Files.writeString(lib.resolve("libdjl_torch.so"), "");
        Files.writeString(lib.resolve("djl_torch.properties"), "djl_version=0.33.0\ntorch_version=2.10.0\n");
        env.put("PYTORCH_LIBRARY_PATH", lib.toString());
        env.put("PYTORCH_VERSION", "2.11.0");
        env.put("PYTORCH_FLAVOR", "cu130");
        String m = error(djl(false, null));
        assertTrue(m.contains("libdjl_torch.so was built for PyTorch 2.10.0") && m.contains("PYTORCH_VERSION is 2.11.0"), m);
    }

    @Test
    void matchingFolderPassesAndDescribesItself() throws IOException {
        Path lib = torch("2.11.0+cu130", true);
        Files.writeString(lib.resolve("libdjl_torch.so"), "");
        Files.writeString(lib.resolve("djl_torch.properties"), "djl_version=0.33.0\ntorch_version=2.11.0\n");
        env.put("PYTORCH_LIBRARY_PATH", dir.resolve("nothing") + ":" + lib);
        env.put("PYTORCH_VERSION", "2.11.0");
        env.put("PYTORCH_FLAVOR", "cu130");
        TorchNatives n = natives(djl(false, null));
        n.check();
        assertEquals(lib, n.folder());
        assertEquals(lib.resolve("libdjl_torch.so"), n.jni());
        assertEquals("libtorch 2.11.0+cu130 from " + lib + " (PYTORCH_LIBRARY_PATH), PYTORCH_FLAVOR cu130, JNI "
                + lib.resolve("libdjl_torch.so"), n.describe());
    }

    /** The JNI found in DJL's engine cache counts too (when the torch folder is not writable). */
    @Test
    void jniInTheEngineCacheIsFound() throws IOException {
        Path lib = torch("2.11.0+cu130", true);
        Path cached = Files.createDirectories(dir.resolve("cache/pytorch/2.11.0-cu130-linux-x86_64"))
                .resolve("0.33.0-libdjl_torch.so");
        Files.writeString(cached, "");
        env.put("PYTORCH_LIBRARY_PATH", lib.toString());
        env.put("PYTORCH_VERSION", "2.11.0");
        env.put("PYTORCH_FLAVOR", "cu130");
        TorchNatives n = natives(djl(false, null));
        n.check();
        assertEquals(cached, n.jni());
    }

    @Test
    void pipCudaRuntimeIsFoundBesideTheTorchPackage() throws IOException {
        Path lib = torch("2.11.0+cu130", true);
        env.put("PYTORCH_LIBRARY_PATH", lib.toString());
        assertEquals(null, natives(djl(true, null)).pipCudaRuntime());
        Path cu13 = Files.createDirectories(dir.resolve("site-packages/nvidia/cu13/lib"));
        Files.writeString(cu13.resolve("libcudart.so.13"), "");
        assertEquals(cu13, natives(djl(true, null)).pipCudaRuntime());
    }

    @Test
    void undefinedSymbolMeansAnotherPyTorch() throws IOException {
        Path lib = torch("2.11.0+cu130", true);
        Files.writeString(lib.resolve("libdjl_torch.so"), "");
        env.put("PYTORCH_LIBRARY_PATH", lib.toString());
        env.put("PYTORCH_VERSION", "2.11.0");
        env.put("PYTORCH_FLAVOR", "cu130");
        TorchNatives n = natives(djl(false, null));
        Throwable djl = new EngineException("Failed to load PyTorch native library", new UnsatisfiedLinkError(
                lib.resolve("libdjl_torch.so") + ": undefined symbol: _ZN3c106detail14torchCheckFailEPKcS2_jRKSs"));
        String m = n.explain(djl).getMessage();
        assertTrue(m.contains("does not fit the libtorch it was loaded with") && m.contains("_ZN3c106detail14torchCheckFail"), m);
        assertTrue(m.contains("built against another PyTorch than 2.11.0") && m.contains("gpu/build-jni.sh"), m);
    }

    @Test
    void downloadAttemptIsExplained() throws IOException {
        TorchNatives n = natives(djl(true, "2.5.1-0.33.0"));
        String m = n.explain(new EngineException("Cannot download jni files: https://publish.djl.ai/x")).getMessage();
        assertTrue(m.contains("tried to download one, which this offline runtime refuses") && m.contains("PYTORCH_LIBRARY_PATH"), m);
    }

    @Test
    void gpuHintsSayWhyNoGpuIsSeen() throws IOException {
        assertTrue(natives(djl(true, "2.5.1-0.33.0")).gpuHint(false).contains("mvn -Pcuda install"));

        Path lib = torch("2.11.0", false);
        Files.writeString(lib.resolve("libdjl_torch.so"), "");
        env.put("PYTORCH_LIBRARY_PATH", lib.toString());
        env.put("PYTORCH_VERSION", "2.11.0");
        env.put("PYTORCH_FLAVOR", "cpu");
        String cpu = natives(djl(false, null)).gpuHint(false);
        assertTrue(cpu.contains("There is no libtorch_cuda.so in " + lib + ": that is a CPU build of PyTorch"), cpu);

        Files.writeString(lib.resolve("libtorch_cuda.so"), "");
        String flavor = natives(djl(false, null)).gpuHint(true);
        assertTrue(flavor.contains("PYTORCH_FLAVOR is cpu: set it to cu<CUDA version>"), flavor);

        env.put("PYTORCH_FLAVOR", "cu130");
        String jna = natives(djl(false, null)).gpuHint(true);
        assertTrue(jna.contains("libcudart") && jna.contains("jna.library.path"), jna);
    }

    @Test
    void gpuAskedForWithoutOneIsAnErrorWithTheHint() {
        MdmException e = assertThrows(MdmException.class, () -> DeviceSpec.resolve("gpu", 0, () -> "HINT"));
        assertEquals("device 'gpu' asks for GPU 0 but the PyTorch engine sees 0 GPU(s); nothing runs on the CPU instead. "
                + "Use --device cpu, or: HINT", e.getMessage());
    }

    @Test
    void versionsAreShortenedLikeDjl() {
        assertEquals("2.11.0", TorchNatives.shortVersion("2.11.0+cu130"));
        assertEquals("2.5.1", TorchNatives.shortVersion("2.5.1-20241113"));
        assertEquals("1.13.0", TorchNatives.shortVersion("1.13.0a0"));
    }
}
