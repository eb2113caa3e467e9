package mdm.core.runtime;

import ai.djl.engine.Engine;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Starts DJL's PyTorch engine without network access. DJL finds its engine through
 * {@code ServiceLoader} on the thread context class loader, which inside OSGi must be the loader
 * of the bundle that embeds DJL; and it reads its settings from system properties, which must be
 * set before the engine class initialises.
 */
public final class DjlEngineStarter {
    public static final String ENGINE = "PyTorch";

    private DjlEngineStarter() {
    }

    /**
     * @param cacheDir where the natives are extracted once (never the user's home)
     * @return the started engine
     */
    public static synchronized Engine start(Path cacheDir) {
        return startChecked(cacheDir).engine();
    }

    /** A started engine and where its natives came from. */
    public record Started(Engine engine, TorchNatives natives) {
    }

    /**
     * Starts the engine after checking where its natives will come from ({@link TorchNatives}): a
     * missing or mismatched libtorch or JNI library is one error naming what was looked for.
     *
     * @param cacheDir where the natives are extracted once (never the user's home)
     */
    public static synchronized Started startChecked(Path cacheDir) {
        try {
            Files.createDirectories(cacheDir);
        } catch (java.io.IOException e) {
            throw new mdm.api.MdmException("cannot create the DJL native cache " + cacheDir + ": " + e.getMessage()
                    + ". Set another folder with mdm.runtime cacheDir.", e);
        }
        // Without offline mode the engine start probes a cloud metadata address; tracking opted out.
        System.setProperty("ai.djl.offline", "true");
        System.setProperty("OPT_OUT_TRACKING", "true");
        setIfAbsent("DJL_CACHE_DIR", cacheDir.toString());
        setIfAbsent("ENGINE_CACHE_DIR", cacheDir.toString());
        setIfAbsent("ai.djl.default_engine", ENGINE);
        setIfAbsent("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        // on a machine with a CUDA toolkit but no driver, DJL warns about GPUs nobody asked for
        setIfAbsent("org.slf4j.simpleLogger.log.ai.djl.util.cuda.CudaUtils", "error");

        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        ClassLoader djl = Engine.class.getClassLoader();
        thread.setContextClassLoader(djl);
        try {
            TorchNatives natives = TorchNatives.inspect(Path.of(TorchNatives.envOrProperty("ENGINE_CACHE_DIR")), djl,
                    djlVersion(djl));
            natives.check();
            // DJL counts GPUs through libcudart (JNA); a pip PyTorch keeps it under site-packages/nvidia
            Path cudart = natives.pipCudaRuntime();
            if (cudart != null && System.getProperty("jna.library.path") == null) {
                System.setProperty("jna.library.path", cudart.toString());
            }
            try {
                return new Started(Engine.getEngine(ENGINE), natives);
            } catch (RuntimeException | LinkageError e) {
                throw natives.explain(e);
            }
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    /** DJL's version as its PyTorch engine records it (without initialising DJL's Engine class). */
    private static String djlVersion(ClassLoader djl) {
        try (java.io.InputStream in = djl.getResourceAsStream("pytorch-engine.properties")) {
            java.util.Properties p = new java.util.Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("djl_version", "0.33.0");
        } catch (java.io.IOException e) {
            return "0.33.0";
        }
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
