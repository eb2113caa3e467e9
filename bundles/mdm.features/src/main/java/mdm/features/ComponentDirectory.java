package mdm.features;

import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * What the service registry holds right now: every service that carries an {@code mdm.kind}. The
 * shell's {@code mdm:list}, the dashboard and embedding applications all read it here.
 */
@ProviderType
public interface ComponentDirectory {
    /** Sorted by kind, then name, then highest ranking first; a service with several names appears once per name. */
    List<ComponentInfo> components();
}
