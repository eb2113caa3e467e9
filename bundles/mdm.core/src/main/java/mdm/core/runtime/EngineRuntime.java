package mdm.core.runtime;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.List;
import mdm.api.DjlRuntime;

/** A started engine with its devices and a root manager; the OSGi component and tests both use it. */
public class EngineRuntime implements DjlRuntime, AutoCloseable {
    private final Engine engine;
    private final TorchNatives natives;
    private final List<Device> devices;
    private final NDManager root;
    private final Path workDirectory;

    public EngineRuntime(String deviceSpec, Path workDirectory, Path cacheDir) {
        DjlEngineStarter.Started started = DjlEngineStarter.startChecked(cacheDir);
        this.engine = started.engine();
        this.natives = started.natives();
        this.devices = DeviceSpec.resolve(deviceSpec, engine.getGpuCount(),
                () -> natives.gpuHint(engine.hasCapability("CUDA")));
        this.root = engine.newBaseManager(devices.get(0));
        this.workDirectory = workDirectory;
    }

    /** A CPU runtime for tests and benchmarks outside OSGi (natives cached in {@code DJL_CACHE_DIR} or ./target). */
    public static EngineRuntime standalone() {
        String cache = System.getProperty("DJL_CACHE_DIR", System.getenv().getOrDefault("DJL_CACHE_DIR", "target/djl-cache"));
        return new EngineRuntime(System.getProperty("mdm.device", "cpu"), Path.of("target"), Path.of(cache));
    }

    @Override
    public Device device() {
        return devices.get(0);
    }

    @Override
    public List<Device> devices() {
        return devices;
    }

    @Override
    public NDManager newManager() {
        return root.newSubManager();
    }

    @Override
    public NDManager newManager(Device device) {
        return root.newSubManager(device);
    }

    @Override
    public String djlVersion() {
        return Engine.getDjlVersion();
    }

    @Override
    public String engineVersion() {
        return engine.getEngineName() + " " + engine.getVersion();
    }

    /** Where the engine's natives came from (bundled, or a folder in PYTORCH_LIBRARY_PATH). */
    public TorchNatives natives() {
        return natives;
    }

    @Override
    public Path workDirectory() {
        return workDirectory;
    }

    @Override
    public void close() {
        root.close();
    }
}
