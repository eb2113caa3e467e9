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
        thread.setContextClassLoader(Engine.class.getClassLoader());
        try {
            return Engine.getEngine(ENGINE);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
