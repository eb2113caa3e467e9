package mdm.core.internal;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.List;
import mdm.api.DjlRuntime;
import mdm.core.runtime.EngineRuntime;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Publishes the started engine. Delayed: the natives load when the first tensor component needs
 * them, so the shell is ready before PyTorch is.
 */
@Component(service = DjlRuntime.class, configurationPid = "mdm.runtime",
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = DjlRuntimeComponent.Config.class)
public class DjlRuntimeComponent implements DjlRuntime {
    /** Framework property naming the runtime's work folder. */
    public static final String WORK_PROPERTY = "mdm.work";

    @ObjectClassDefinition(name = "mdm DJL runtime")
    public @interface Config {
        @AttributeDefinition(description = "cpu, gpu, gpu:N or gpu:0,1")
        String device() default "cpu";

        @AttributeDefinition(description = "native cache folder; empty = <work>/djl-cache")
        String cacheDir() default "";
    }

    private EngineRuntime runtime;

    @Activate
    void activate(Config config, BundleContext context) {
        String work = context.getProperty(WORK_PROPERTY);
        Path workDir = work != null ? Path.of(work) : context.getDataFile("").toPath();
        Path cache = config.cacheDir().isBlank() ? workDir.resolve("djl-cache") : Path.of(config.cacheDir());
        // the launcher's --device (framework property mdm.device) overrides the configured device
        String device = context.getProperty("mdm.device") != null ? context.getProperty("mdm.device") : config.device();
        runtime = new EngineRuntime(device, workDir, cache);
    }

    @Deactivate
    void deactivate() {
        runtime.close();
    }

    @Override
    public Device device() {
        return runtime.device();
    }

    @Override
    public List<Device> devices() {
        return runtime.devices();
    }

    @Override
    public NDManager newManager() {
        return runtime.newManager();
    }

    @Override
    public NDManager newManager(Device device) {
        return runtime.newManager(device);
    }

    @Override
    public String djlVersion() {
        return runtime.djlVersion();
    }

    @Override
    public String engineVersion() {
        return runtime.engineVersion();
    }

    @Override
    public Path workDirectory() {
        return runtime.workDirectory();
    }
}
