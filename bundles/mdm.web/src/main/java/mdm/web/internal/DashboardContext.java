package mdm.web.internal;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URL;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.servlet.context.ServletContextHelper;
import org.osgi.service.servlet.runtime.HttpServiceRuntime;

/**
 * The dashboard's servlet context at {@code /}: every request of the dashboard passes its
 * {@link #handleSecurity} (the {@link Guard}) before any servlet. It follows where the HTTP server
 * listens (the runtime's {@code osgi.http.endpoint}), prints that address on the console whenever
 * it changes, and asks for the access token whenever an endpoint lies beyond loopback.
 */
@Component(service = ServletContextHelper.class, property = {
        "osgi.http.whiteboard.context.name=" + DashboardContext.NAME,
        "osgi.http.whiteboard.context.path=/",
        // above the default context at the same path, so the dashboard answers for /
        Constants.SERVICE_RANKING + ":Integer=100"})
public class DashboardContext extends ServletContextHelper {
    static final String NAME = "mdm.web";

    private final Guard guard;
    private final PrintStream console = System.err;
    private final Map<Long, List<String>> endpoints = new ConcurrentHashMap<>();
    private volatile Set<String> announced = Set.of();
    private volatile boolean tokenShown;

    @Activate
    public DashboardContext(BundleContext context) {
        super(context.getBundle());
        AccessToken token = AccessToken.loadOrCreate(ApiServlet.workFolder(context).resolve("web").resolve("token"));
        this.guard = new Guard(new Sessions(), token);
    }

    @Reference(cardinality = ReferenceCardinality.AT_LEAST_ONE, policy = ReferencePolicy.DYNAMIC,
            service = HttpServiceRuntime.class, updated = "updatedRuntime", unbind = "unbindRuntime")
    void bindRuntime(ServiceReference<HttpServiceRuntime> ref) {
        List<String> urls = Endpoints.of(ref.getProperty("osgi.http.endpoint"));
        if (urls.isEmpty()) {
            // Felix lists no address when it listens on all interfaces of a machine with only loopback
            // ones; the port is still a service property. Such a server counts as beyond loopback.
            urls = List.of("http://0.0.0.0:" + ref.getProperty("org.osgi.service.http.port") + "/");
        }
        endpoints.put(id(ref), urls);
        changed();
    }

    void updatedRuntime(ServiceReference<HttpServiceRuntime> ref) {
        bindRuntime(ref);
    }

    void unbindRuntime(ServiceReference<HttpServiceRuntime> ref) {
        endpoints.remove(id(ref));
        changed();
    }

    private static long id(ServiceReference<?> ref) {
        return (Long) ref.getProperty(Constants.SERVICE_ID);
    }

    private synchronized void changed() {
        Set<String> all = new LinkedHashSet<>();
        endpoints.values().forEach(all::addAll);
        // until the server says where it listens, and whenever any address is not loopback: ask for the token
        boolean exposed = all.isEmpty() || all.stream().anyMatch(e -> !Endpoints.loopback(e));
        guard.exposed(exposed);
        if (all.isEmpty() || all.equals(announced)) {
            return;
        }
        announced = all;
        List<String> urls = new ArrayList<>(all);
        if (!exposed) {
            console.println("mdm dashboard: " + String.join(" ", urls));
        } else if (!tokenShown) {
            tokenShown = true; // shown once; afterwards it is in the file
            List<String> withToken = urls.stream().map(u -> u + "?token=" + guard.token().value()).toList();
            console.println("mdm dashboard: " + String.join(" ", withToken));
            console.println("mdm dashboard: it listens beyond loopback, so it asks for this token (kept in "
                    + guard.token().file() + ")");
        } else {
            console.println("mdm dashboard: " + String.join(" ", urls) + " (token in " + guard.token().file() + ")");
        }
    }

    @Override
    public boolean handleSecurity(HttpServletRequest request, HttpServletResponse response) throws IOException {
        return guard.admit(request, response);
    }

    /** No resources come from this context: the servlets serve everything, so nothing is listed. */
    @Override
    public URL getResource(String name) {
        return null;
    }

    @Override
    public Set<String> getResourcePaths(String path) {
        return null;
    }

    /** The endpoint addresses of the running server(s), for tests and the page. */
    List<String> endpoints() {
        return new ArrayList<>(announced);
    }

    /** Reading the {@code osgi.http.endpoint} property. */
    static final class Endpoints {
        private Endpoints() {
        }

        static List<String> of(Object property) {
            List<String> out = new ArrayList<>();
            if (property instanceof String s) {
                out.add(s);
            } else if (property instanceof String[] a) {
                out.addAll(List.of(a));
            } else if (property instanceof java.util.Collection<?> c) {
                c.forEach(e -> out.add(String.valueOf(e)));
            }
            return out;
        }

        static boolean loopback(String endpoint) {
            try {
                return Guard.loopbackName(URI.create(endpoint).getHost());
            } catch (IllegalArgumentException e) {
                return false;
            }
        }
    }
}
