package mdm.features;

import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/** Installs and removes features in the running framework. */
@ProviderType
public interface FeatureManager {
    /** Every feature in the runtime's feature folder, re-read on each call (new files show up). */
    List<FeatureInfo> features();

    /**
     * Installs and starts the feature's bundles and hands its configurations to Configuration Admin.
     *
     * @return what was done, one line per bundle or configuration
     */
    List<String> install(String name);

    /**
     * Deletes the feature's configurations and uninstalls its bundles that no other installed
     * feature needs, then refreshes their dependents.
     */
    List<String> uninstall(String name);
}
