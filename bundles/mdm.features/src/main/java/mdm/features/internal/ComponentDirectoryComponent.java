package mdm.features.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import mdm.features.ComponentDirectory;
import mdm.features.ComponentInfo;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/** Reads the registry on every call, so the answer follows bundles coming and going. */
@Component(service = ComponentDirectory.class)
public class ComponentDirectoryComponent implements ComponentDirectory {
    /** Service properties by which mdm components are found (the values of mdm.api.Components). */
    static final String KIND = "mdm.kind";
    static final String NAME = "mdm.name";

    private final BundleContext context;

    @Activate
    public ComponentDirectoryComponent(BundleContext context) {
        this.context = context;
    }

    @Override
    public List<ComponentInfo> components() {
        ServiceReference<?>[] refs;
        try {
            refs = context.getAllServiceReferences(null, "(" + KIND + "=*)");
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
        List<ComponentInfo> rows = new ArrayList<>();
        if (refs != null) {
            for (ServiceReference<?> ref : refs) {
                Bundle bundle = ref.getBundle();
                if (bundle == null) {
                    continue; // unregistered while we looked
                }
                Object ranking = ref.getProperty(Constants.SERVICE_RANKING);
                for (String name : names(ref.getProperty(NAME))) {
                    rows.add(new ComponentInfo(String.valueOf(ref.getProperty(KIND)), name, bundle.getSymbolicName(),
                            bundle.getVersion().toString(),
                            ranking instanceof Integer r ? r : 0, // the framework ignores a ranking that is not an Integer
                            (Long) ref.getProperty(Constants.SERVICE_ID)));
                }
            }
        }
        rows.sort(Comparator.comparing(ComponentInfo::kind).thenComparing(ComponentInfo::name)
                .thenComparing(r -> -r.ranking()).thenComparing(ComponentInfo::serviceId));
        return rows;
    }

    /** A service property that may be a String, an array or a collection of names. */
    static List<String> names(Object property) {
        if (property instanceof String s) {
            return List.of(s);
        }
        if (property instanceof String[] a) {
            return List.of(a);
        }
        if (property instanceof Collection<?> c) {
            return c.stream().map(String::valueOf).toList();
        }
        return List.of("?");
    }
}
