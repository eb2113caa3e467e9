package mdm.features.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Dictionary;
import java.util.HashSet;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import mdm.features.BundleLocations;
import mdm.features.FeatureCatalog;
import mdm.features.FeatureInfo;
import mdm.features.FeatureManager;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.wiring.BundleWiring;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.feature.Feature;
import org.osgi.service.feature.FeatureBundle;
import org.osgi.service.feature.FeatureConfiguration;
import org.osgi.service.feature.FeatureService;

/**
 * Keeps the set of installed features. The launcher installs the boot features' bundles before
 * this component exists (it names them in {@value #BOOTED}); this component then applies their
 * configurations and owns every later install and removal.
 */
@Component(service = FeatureManager.class, immediate = true)
public class FeatureManagerComponent implements FeatureManager {
    /** Framework property: the folder of feature files. */
    public static final String FEATURES_DIR = "mdm.features.dir";
    /** Framework property: the Maven-layout repository holding the bundles. */
    public static final String REPOSITORY = "mdm.repository";
    /** Framework property: comma-separated names of the features the launcher installed. */
    public static final String BOOTED = "mdm.features.booted";
    /** Category of features that make up the runtime itself and cannot be removed. */
    public static final String SYSTEM = "system";

    private final FeatureService featureService;
    private final ConfigurationAdmin configurationAdmin;
    private final BundleContext context;
    private final Path featuresDir;
    private final BundleLocations locations;
    private final Set<String> installed = new LinkedHashSet<>();
    /** How long install and uninstall wait for the framework refresh after removing bundles. */
    static final long REFRESH_TIMEOUT_S = 30;

    @Activate
    public FeatureManagerComponent(@Reference FeatureService featureService,
                                   @Reference ConfigurationAdmin configurationAdmin,
                                   BundleContext context) {
        this.featureService = featureService;
        this.configurationAdmin = configurationAdmin;
        this.context = context;
        this.featuresDir = Path.of(required(context, FEATURES_DIR));
        this.locations = new BundleLocations(Path.of(required(context, REPOSITORY)));
        String booted = context.getProperty(BOOTED);
        if (booted != null && !booted.isBlank()) {
            FeatureCatalog catalog = catalog();
            for (String name : booted.split(",")) {
                catalog.find(name.trim()).ifPresent(f -> {
                    applyConfigurations(f, new ArrayList<>());
                    installed.add(FeatureCatalog.shortName(f));
                });
            }
        }
    }

    private static String required(BundleContext context, String key) {
        String value = context.getProperty(key);
        if (value == null) {
            throw new IllegalStateException("framework property " + key + " is not set; start the runtime with ./mdm");
        }
        return value;
    }

    @Override
    public synchronized List<FeatureInfo> features() {
        List<FeatureInfo> out = new ArrayList<>();
        for (Feature f : catalog().all()) {
            String name = FeatureCatalog.shortName(f);
            out.add(new FeatureInfo(name, f.getID().toString(), f.getName().orElse(""),
                    f.getCategories().contains(FeatureCatalog.BOOT), installed.contains(name),
                    f.getBundles().stream().map(b -> b.getID().getArtifactId()).toList()));
        }
        return out;
    }

    @Override
    public synchronized List<String> install(String name) {
        Feature feature = find(name);
        String shortName = FeatureCatalog.shortName(feature);
        List<String> log = new ArrayList<>();
        if (installed.contains(shortName)) {
            log.add("feature " + shortName + " is already installed");
            return log;
        }
        List<String> bundleLocations = feature.getBundles().stream().map(fb -> locations.location(fb.getID())).toList();
        Map<String, Dictionary<String, Object>> previous = new LinkedHashMap<>();
        try {
            BundleInstall.run(context, bundleLocations, () -> {
                previous.putAll(snapshot(feature));
                applyConfigurations(feature, log);
            }, log, removed -> refresh(removed, log));
        } catch (RuntimeException e) {
            restoreConfigurations(previous);
            throw new IllegalStateException("installing feature " + shortName + " failed, and the runtime is as it"
                    + " was before: " + e.getMessage(), e);
        }
        installed.add(shortName);
        return log;
    }

    @Override
    public synchronized List<String> uninstall(String name) {
        Feature feature = find(name);
        String shortName = FeatureCatalog.shortName(feature);
        if (!installed.contains(shortName)) {
            throw new IllegalArgumentException("feature " + shortName + " is not installed; installed: " + installed);
        }
        if (feature.getCategories().contains(SYSTEM)) {
            throw new IllegalArgumentException("feature " + shortName
                    + " is the runtime itself (category 'system') and cannot be removed");
        }
        List<String> log = new ArrayList<>();
        Set<String> stillNeeded = new HashSet<>();
        FeatureCatalog catalog = catalog();
        for (String other : installed) {
            if (!other.equals(shortName)) {
                catalog.find(other).ifPresent(f -> f.getBundles()
                        .forEach(b -> stillNeeded.add(locations.location(b.getID()))));
            }
        }
        deleteConfigurations(feature, log);
        List<Bundle> removed = new ArrayList<>();
        for (FeatureBundle fb : feature.getBundles()) {
            String location = locations.location(fb.getID());
            Bundle b = context.getBundle(location);
            if (b == null || stillNeeded.contains(location)) {
                continue;
            }
            try {
                b.uninstall();
                removed.add(b);
                log.add("uninstalled " + b.getSymbolicName() + " " + b.getVersion());
            } catch (BundleException e) {
                throw new IllegalStateException("cannot uninstall " + b.getSymbolicName() + ": " + e.getMessage(), e);
            }
        }
        refresh(removed, log);
        installed.remove(shortName);
        return log;
    }

    /** Installed feature names. */
    public synchronized Set<String> installedNames() {
        return Set.copyOf(installed);
    }

    private Feature find(String name) {
        FeatureCatalog catalog = catalog();
        return catalog.find(name).orElseThrow(() -> new IllegalArgumentException(
                "no feature '" + name + "' in " + featuresDir + "; available: " + String.join(", ", catalog.names())));
    }

    /**
     * JSON-P finds its provider with ServiceLoader on the thread context class loader; inside the
     * framework that must be a bundle loader that sees a provider's service file.
     */
    private FeatureCatalog catalog() {
        return withJsonProvider(() -> FeatureCatalog.read(featuresDir, featureService));
    }

    private <T> T withJsonProvider(Supplier<T> action) {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        ClassLoader provider = jsonProviderLoader();
        if (provider != null) {
            thread.setContextClassLoader(provider);
        }
        try {
            return action.get();
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    private ClassLoader jsonProviderLoader() {
        for (Bundle b : context.getBundles()) {
            if (b.getEntry("META-INF/services/jakarta.json.spi.JsonProvider") != null) {
                BundleWiring wiring = b.adapt(BundleWiring.class);
                if (wiring != null) {
                    return wiring.getClassLoader();
                }
            }
        }
        return null;
    }

    private void applyConfigurations(Feature feature, List<String> log) {
        for (FeatureConfiguration fc : feature.getConfigurations().values()) {
            try {
                Configuration c = configuration(fc);
                Dictionary<String, Object> props = new Hashtable<>(fc.getValues());
                c.updateIfDifferent(props);
                log.add("configured " + fc.getPid());
            } catch (IOException e) {
                throw new IllegalStateException("cannot apply configuration " + fc.getPid() + ": " + e.getMessage(), e);
            }
        }
    }

    private void deleteConfigurations(Feature feature, List<String> log) {
        for (FeatureConfiguration fc : feature.getConfigurations().values()) {
            try {
                configuration(fc).delete();
                log.add("removed configuration " + fc.getPid());
            } catch (IOException e) {
                throw new IllegalStateException("cannot delete configuration " + fc.getPid() + ": " + e.getMessage(), e);
            }
        }
    }

    private Configuration configuration(FeatureConfiguration fc) throws IOException {
        if (fc.getFactoryPid().isPresent()) {
            String factory = fc.getFactoryPid().get();
            String name = fc.getPid().substring(fc.getPid().indexOf('~') + 1);
            return configurationAdmin.getFactoryConfiguration(factory, name, "?");
        }
        return configurationAdmin.getConfiguration(fc.getPid(), "?");
    }

    /** The current properties of every configuration the feature sets (null: none yet), to restore after a failure. */
    private Map<String, Dictionary<String, Object>> snapshot(Feature feature) {
        Map<String, Dictionary<String, Object>> out = new LinkedHashMap<>();
        for (FeatureConfiguration fc : feature.getConfigurations().values()) {
            try {
                Configuration c = configuration(fc);
                out.put(c.getPid(), c.getProperties());
            } catch (IOException e) {
                throw new IllegalStateException("cannot read configuration " + fc.getPid() + ": " + e.getMessage(), e);
            }
        }
        return out;
    }

    private void restoreConfigurations(Map<String, Dictionary<String, Object>> previous) {
        previous.forEach((pid, props) -> {
            try {
                Configuration[] found = configurationAdmin.listConfigurations(
                        "(" + Constants.SERVICE_PID + "=" + pid.replace("\\", "\\\\").replace("(", "\\(")
                                .replace(")", "\\)").replace("*", "\\*") + ")");
                if (found == null) {
                    return;
                }
                for (Configuration c : found) {
                    if (props == null) {
                        c.delete();
                    } else {
                        c.update(props);
                    }
                }
            } catch (IOException | org.osgi.framework.InvalidSyntaxException | RuntimeException e) {
                // best effort: the install error is what the user needs to see
            }
        });
    }

    /** Refreshes after bundles were removed, waiting up to {@link #REFRESH_TIMEOUT_S}; says so in the log if it takes longer. */
    private void refresh(Collection<Bundle> removed, List<String> log) {
        if (removed.isEmpty()) {
            return;
        }
        FrameworkWiring wiring = context.getBundle(Constants.SYSTEM_BUNDLE_LOCATION).adapt(FrameworkWiring.class);
        CountDownLatch done = new CountDownLatch(1);
        wiring.refreshBundles(removed, event -> {
            if (event.getType() == FrameworkEvent.PACKAGES_REFRESHED || event.getType() == FrameworkEvent.ERROR) {
                done.countDown();
            }
        });
        try {
            if (!done.await(REFRESH_TIMEOUT_S, TimeUnit.SECONDS)) {
                log.add("the framework refresh did not finish within " + REFRESH_TIMEOUT_S + " s: the removed bundles'"
                        + " packages stay wired until it does (mdm:features shows the state)");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            log.add("interrupted while waiting for the framework refresh");
        }
    }
}
