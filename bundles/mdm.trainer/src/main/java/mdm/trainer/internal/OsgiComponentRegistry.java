package mdm.trainer.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Consumer;
import mdm.api.Components;
import mdm.api.MdmException;
import mdm.core.config.Names;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceEvent;
import org.osgi.framework.ServiceListener;
import org.osgi.framework.ServiceReference;

/** Components from the OSGi service registry, by {@code mdm.kind} and {@code mdm.name}. */
public final class OsgiComponentRegistry implements ComponentRegistry {
    private final BundleContext context;

    public OsgiComponentRegistry(BundleContext context) {
        this.context = context;
    }

    @Override
    public <T> Lease<T> acquire(Class<T> type, String kind, String name) {
        ServiceReference<T> best = references(type, kind).stream()
                .filter(r -> namesOf(r).contains(name))
                .max(Comparator.naturalOrder()) // ServiceReference order: ranking, then oldest
                .orElseThrow(() -> unknown(type, kind, name));
        T service = context.getService(best);
        if (service == null) {
            throw new MdmException(kind + " '" + name + "' from bundle " + best.getBundle().getSymbolicName()
                    + " could not be activated; see the framework log (work/osgi/*.log)");
        }
        String origin = best.getBundle().getSymbolicName() + " " + best.getBundle().getVersion();
        return new OsgiLease<>(best, service, origin);
    }

    @Override
    public List<String> names(String kind) {
        TreeSet<String> names = new TreeSet<>();
        for (ServiceReference<Object> r : references(Object.class, kind)) {
            names.addAll(namesOf(r));
        }
        return new ArrayList<>(names);
    }

    @Override
    public void watch(Lease<?> lease, Consumer<String> onLoss) {
        OsgiLease<?> l = (OsgiLease<?>) lease;
        long id = (Long) l.reference.getProperty(Constants.SERVICE_ID);
        ServiceListener listener = new ServiceListener() {
            private boolean fired;

            @Override
            public synchronized void serviceChanged(ServiceEvent event) {
                if (event.getType() == ServiceEvent.UNREGISTERING && !fired) {
                    fired = true;
                    onLoss.accept("bundle " + l.origin + " withdrew " + describe(l.reference)
                            + " (stopped, updated or uninstalled)");
                }
            }
        };
        try {
            context.addServiceListener(listener, "(" + Constants.SERVICE_ID + "=" + id + ")");
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
        l.listeners.add(listener);
    }

    private static String describe(ServiceReference<?> r) {
        return r.getProperty(Components.KIND) + " '" + String.join(",", namesOf(r)) + "'";
    }

    private <T> List<ServiceReference<T>> references(Class<T> type, String kind) {
        try {
            ServiceReference<?>[] refs = type == Object.class
                    ? context.getAllServiceReferences(null, "(" + Components.KIND + "=" + kind + ")")
                    : context.getServiceReferences(type.getName(), "(" + Components.KIND + "=" + kind + ")");
            List<ServiceReference<T>> out = new ArrayList<>();
            if (refs != null) {
                for (ServiceReference<?> r : refs) {
                    @SuppressWarnings("unchecked")
                    ServiceReference<T> typed = (ServiceReference<T>) r;
                    out.add(typed);
                }
            }
            return out;
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private MdmException unknown(Class<?> type, String kind, String name) {
        List<String> known = names(kind);
        String hint = known.isEmpty()
                ? "No " + kind + " is registered: install a feature that provides one (mdm:features, mdm:install)."
                : Names.suggestion(name, known);
        return new MdmException("no " + kind + " named '" + name + "' is registered. " + hint);
    }

    static List<String> namesOf(ServiceReference<?> r) {
        Object p = r.getProperty(Components.NAME);
        if (p instanceof String s) {
            return List.of(s);
        }
        if (p instanceof String[] a) {
            return Arrays.asList(a);
        }
        if (p instanceof java.util.Collection<?> c) {
            return c.stream().map(String::valueOf).toList();
        }
        return List.of();
    }

    private final class OsgiLease<T> implements Lease<T> {
        private final ServiceReference<T> reference;
        private final T service;
        private final String origin;
        private final List<ServiceListener> listeners = new ArrayList<>();

        OsgiLease(ServiceReference<T> reference, T service, String origin) {
            this.reference = reference;
            this.service = service;
            this.origin = origin;
        }

        @Override
        public T service() {
            return service;
        }

        @Override
        public String origin() {
            return origin;
        }

        @Override
        public void release() {
            listeners.forEach(context::removeServiceListener);
            listeners.clear();
            try {
                context.ungetService(reference);
            } catch (IllegalStateException e) {
                // our own bundle is stopping: the framework releases everything anyway
            }
        }
    }
}
