package mdm.eval.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import mdm.api.Components;
import mdm.api.DjlRuntime;
import mdm.api.eval.FeatureNetwork;
import mdm.eval.featurenet.CnnFeatureNetwork;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * Registers one {@link FeatureNetwork} service per network folder: the built-in ones shipped in this
 * bundle ({@code featurenets/<name>/}, ranking 0) and those trained into {@code <work>/featurenets/<name>/}
 * (ranking 1, so a network retrained under the same name is the one used; every report names the
 * weights' hash). {@link #add} registers a freshly trained one without a restart.
 */
@Component(service = FeatureNetworkCatalog.class, immediate = true)
public final class FeatureNetworkCatalog {
    static final String FOLDER = "featurenets";

    private final DjlRuntime runtime;
    private final BundleContext context;
    private final Map<String, Registered> registered = new LinkedHashMap<>();

    private record Registered(CnnFeatureNetwork network, ServiceRegistration<FeatureNetwork> registration) {
    }

    @Activate
    public FeatureNetworkCatalog(@Reference DjlRuntime runtime, BundleContext context,
                                 @Reference(service = LoggerFactory.class) Logger logger) {
        this.runtime = runtime;
        this.context = context;
        for (String name : builtIn()) {
            try (InputStream d = resource(name, CnnFeatureNetwork.DESCRIPTION); InputStream w = resource(name, CnnFeatureNetwork.WEIGHTS)) {
                register("builtin:" + name, CnnFeatureNetwork.load(d, w, runtime.newManager()), 0, "bundle mdm.eval");
            } catch (IOException e) {
                throw new IllegalStateException("built-in feature network " + name + " cannot be read", e);
            }
        }
        Path trained = runtime.workDirectory().resolve(FOLDER);
        if (Files.isDirectory(trained)) {
            try (var dirs = Files.list(trained)) {
                for (Path dir : dirs.sorted().toList()) {
                    if (Files.isRegularFile(dir.resolve(CnnFeatureNetwork.DESCRIPTION))) {
                        try {
                            add(dir);
                        } catch (RuntimeException e) {
                            // one unreadable folder (e.g. written by a newer version) must not take the others down
                            logger.warn("feature network in {} not registered", dir, e);
                        }
                    }
                }
            } catch (IOException e) {
                // an unreadable work folder leaves only the built-in networks
                logger.warn("feature networks in {} not read", trained, e);
            }
        }
    }

    private List<String> builtIn() {
        List<String> names = new ArrayList<>();
        Enumeration<URL> e = context.getBundle().findEntries(FOLDER, CnnFeatureNetwork.DESCRIPTION, true);
        for (URL u : e == null ? Collections.<URL>emptyList() : Collections.list(e)) {
            String[] parts = u.getPath().split("/");
            names.add(parts[parts.length - 2]);
        }
        return names;
    }

    private InputStream resource(String name, String file) throws IOException {
        URL u = context.getBundle().getEntry(FOLDER + "/" + name + "/" + file);
        if (u == null) {
            throw new IOException(FOLDER + "/" + name + "/" + file + " is missing");
        }
        return u.openStream();
    }

    /** Registers (or replaces) the network trained into {@code folder}. */
    public synchronized void add(Path folder) {
        CnnFeatureNetwork n = CnnFeatureNetwork.load(folder, runtime.newManager());
        register(folder.toAbsolutePath().normalize().toString(), n, 1, folder.toString());
    }

    private synchronized void register(String key, CnnFeatureNetwork network, int ranking, String origin) {
        Registered old = registered.remove(key);
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(Components.NAME, network.info().name());
        props.put(Components.KIND, Components.FEATURE_NETWORK);
        props.put(Constants.SERVICE_RANKING, ranking);
        props.put("mdm.datasets", network.info().datasets().toArray(new String[0]));
        props.put("mdm.weights.sha256", network.info().weightsHash());
        props.put("mdm.origin", origin);
        registered.put(key, new Registered(network, context.registerService(FeatureNetwork.class, network, props)));
        if (old != null) {
            retire(old);
        }
    }

    private static void retire(Registered r) {
        try {
            r.registration().unregister();
        } catch (IllegalStateException e) {
            // already gone with the bundle
        }
        r.network().close();
    }

    @Deactivate
    synchronized void deactivate() {
        registered.values().forEach(FeatureNetworkCatalog::retire);
        registered.clear();
    }
}
