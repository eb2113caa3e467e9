package mdm.shell.internal;

import java.util.ArrayList;
import java.util.List;
import mdm.api.DjlRuntime;
import mdm.api.MdmException;
import mdm.core.runtime.DjlCuda;
import mdm.core.runtime.TorchNatives;
import mdm.features.ComponentDirectory;
import mdm.features.FeatureInfo;
import mdm.features.FeatureManager;
import org.apache.felix.service.command.Descriptor;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.runtime.ServiceComponentRuntime;

/** Commands about the runtime itself: components, features, versions. */
@Component(service = RuntimeCommands.class, property = {
        "osgi.command.scope=mdm",
        "osgi.command.function=list",
        "osgi.command.function=features",
        "osgi.command.function=install",
        "osgi.command.function=uninstall",
        "osgi.command.function=version"})
public class RuntimeCommands {
    private final BundleContext context;
    private final FeatureManager features;
    private final ComponentDirectory directory;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile DjlRuntime runtime;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile ServiceComponentRuntime components;

    @Activate
    public RuntimeCommands(BundleContext context, @Reference FeatureManager features,
                           @Reference ComponentDirectory directory) {
        this.context = context;
        this.features = features;
        this.directory = directory;
    }

    @Descriptor("list every registered mdm component: kind, name, bundle, version, ranking")
    public String list() {
        return ComponentTable.format(directory.components());
    }

    @Descriptor("list the runtime's features and whether each is installed")
    public String features() {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"FEATURE", "INSTALLED", "BOOT", "BUNDLES", "TITLE"});
        for (FeatureInfo f : features.features()) {
            rows.add(new String[] {f.name(), f.installed() ? "yes" : "no", f.boot() ? "yes" : "no",
                    Integer.toString(f.bundles().size()), f.title()});
        }
        return Tables.format(rows);
    }

    @Descriptor("install a feature: its bundles start and its configurations apply")
    @Operands("<feature> a feature's name (mdm:features lists them)")
    public String install(@Descriptor("feature name (see mdm:features)") String... operands) {
        String feature = TrainCommands.operands(RuntimeCommands.class, "install", operands)[0];
        return String.join("\n", features.install(feature));
    }

    @Descriptor("remove a feature: its configurations are deleted and its bundles uninstalled")
    @Operands("<feature> a feature's name (mdm:features lists them)")
    public String uninstall(@Descriptor("feature name (see mdm:features)") String... operands) {
        String feature = TrainCommands.operands(RuntimeCommands.class, "uninstall", operands)[0];
        return String.join("\n", features.uninstall(feature));
    }

    @Descriptor("print the framework, DJL and PyTorch versions and the device")
    public String version() {
        Bundle system = context.getBundle(Constants.SYSTEM_BUNDLE_LOCATION);
        StringBuilder out = new StringBuilder();
        out.append("framework  ").append(system.getSymbolicName()).append(' ').append(system.getVersion()).append('\n');
        DjlRuntime djl = runtime;
        if (djl == null) {
            throw new MdmException("the DJL runtime is not available: " + ComponentHealth.why(components, DjlRuntime.class.getName())
                    + "\n" + out.toString().trim());
        } else {
            out.append("DJL        ").append(djl.djlVersion()).append('\n');
            out.append("engine     ").append(djl.engineVersion()).append('\n');
            out.append("natives    ").append(TorchNatives.current(djl.djlVersion()).describe()).append('\n');
            for (ai.djl.Device d : djl.devices()) {
                String gpu = DjlCuda.describe(d);
                out.append("device     ").append(d).append(gpu.isEmpty() ? "" : " " + gpu).append('\n');
            }
        }
        out.append("java       ").append(System.getProperty("java.version")).append('\n');
        return out.toString();
    }
}
