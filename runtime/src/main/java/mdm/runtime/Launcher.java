package mdm.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import java.util.function.ToIntFunction;
import java.util.stream.Collectors;
import mdm.features.BundleLocations;
import mdm.features.FeatureCatalog;
import mdm.features.LaunchingProperties;
import org.apache.felix.feature.impl.FeatureServiceImpl;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;
import org.osgi.service.feature.Feature;
import org.osgi.service.feature.FeatureBundle;
import org.osgi.util.tracker.ServiceTracker;

/**
 * Starts Equinox through the framework launch API, installs the bundles of the boot features
 * (read with the Feature Service) and then either opens the Gogo shell or runs one command line.
 */
public final class Launcher {
    /** The terminal console; without a terminal it cannot run, so a batch run leaves it stopped. */
    private static final String CONSOLE = "org.apache.felix.gogo.jline";

    private final LaunchOptions options;
    private Framework framework;

    Launcher(LaunchOptions options) {
        this.options = options;
    }

    public static void main(String[] args) {
        Path home = Path.of(System.getProperty("mdm.home", "runtime/target/mdm"));
        Path work = Path.of(System.getProperty("mdm.work", "work"));
        LaunchOptions options;
        try {
            options = LaunchOptions.parse(args, home, work);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        int status;
        try {
            status = new Launcher(options).run();
        } catch (Exception e) {
            System.err.println("mdm: " + e.getMessage());
            status = 1;
        }
        System.exit(status);
    }

    int run() throws BundleException, InterruptedException, IOException {
        long started = System.nanoTime();
        FeatureCatalog catalog = FeatureCatalog.read(options.home().resolve("features"), new FeatureServiceImpl());
        BundleLocations locations = new BundleLocations(options.home().resolve("repository"));
        List<Feature> boot = catalog.boot();

        framework = newFramework(boot);
        framework.init();
        Runtime.getRuntime().addShutdownHook(new Thread(this::stopQuietly, "mdm-shutdown"));
        List<Bundle> bundles = install(framework.getBundleContext(), boot, locations);
        framework.start();
        // the shell's exit command hands its status here (a JDK type: the launcher shares no class with the bundles)
        AtomicInteger exitStatus = new AtomicInteger(-1);
        framework.getBundleContext().registerService(IntConsumer.class, exitStatus::set,
                new Hashtable<>(Map.of("mdm.exit", "true")));
        Bundle console = null;
        for (Bundle b : bundles) {
            if (CONSOLE.equals(b.getSymbolicName())) {
                console = b; // started last, so its prompt follows the ready line
                continue;
            }
            if (b.getHeaders().get(Constants.FRAGMENT_HOST) == null) {
                try {
                    b.start(Bundle.START_ACTIVATION_POLICY);
                } catch (BundleException e) {
                    // one broken bundle must not take the runtime down; the shell shows what is missing
                    System.err.println("mdm: bundle " + b.getSymbolicName() + " did not start: " + e.getMessage());
                }
            }
        }
        if (options.command() == null) {
            System.err.printf("mdm runtime ready in %.2f s (%d bundles). Type 'mdm:list', 'help' or 'exit'.%n",
                    (System.nanoTime() - started) / 1e9, bundles.size());
            if (console == null) {
                System.err.println("mdm: no console bundle (" + CONSOLE + ") in the boot features; nothing to type into");
                return 1;
            }
            console.start();
            framework.waitForStop(0);
            return Math.max(0, exitStatus.get());
        }
        int status = execute(options.command());
        stopQuietly();
        return exitStatus.get() >= 0 ? exitStatus.get() : status;
    }

    private Framework newFramework(List<Feature> boot) throws IOException {
        Path work = options.work().toAbsolutePath();
        Files.createDirectories(work);
        // what the boot features ask for first (a -D system property of the same name overrides it, e.g.
        // -Dorg.osgi.service.http.port=8643); the launcher's own settings below take precedence
        Map<String, String> props = new HashMap<>();
        LaunchingProperties.of(boot).forEach((k, v) -> props.put(k, System.getProperty(k, v)));
        props.put(Constants.FRAMEWORK_STORAGE, work.resolve("osgi").toString());
        // every launch installs what the features say now, nothing survives from the last run
        props.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        props.put("mdm.work", work.toString());
        props.put("mdm.features.dir", options.home().resolve("features").toAbsolutePath().toString());
        props.put("mdm.repository", options.home().resolve("repository").toAbsolutePath().toString());
        props.put("mdm.features.booted", boot.stream().map(FeatureCatalog::shortName).collect(Collectors.joining(",")));
        props.put("gosh.args", options.command() == null ? "" : "--nointeractive");
        props.put("mdm.batch", Boolean.toString(options.command() != null));
        if (System.getProperty("mdm.samples") != null) {
            props.put("mdm.samples.dir", Path.of(System.getProperty("mdm.samples")).toAbsolutePath().toString());
        }
        props.put("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        // diagnostics pass through: -Dds.loglevel=debug, -Dfelix.* , -Dequinox.*
        System.getProperties().stringPropertyNames().stream()
                .filter(k -> k.startsWith("ds.") || k.startsWith("felix.") || k.startsWith("equinox."))
                .forEach(k -> props.put(k, System.getProperty(k)));
        if (options.device() != null) {
            props.put("mdm.device", options.device());
        }
        FrameworkFactory factory = ServiceLoader.load(FrameworkFactory.class).findFirst()
                .orElseThrow(() -> new IllegalStateException("no OSGi framework on the launcher class path"));
        return factory.newFramework(props);
    }

    private static List<Bundle> install(BundleContext context, List<Feature> features, BundleLocations locations)
            throws BundleException {
        List<Bundle> bundles = new ArrayList<>();
        for (Feature feature : features) {
            for (FeatureBundle fb : feature.getBundles()) {
                String location = locations.location(fb.getID());
                Bundle existing = context.getBundle(location);
                bundles.add(existing != null ? existing : context.installBundle(location));
            }
        }
        return bundles;
    }

    /** Hands the command line to the shell bundle's batch runner and answers its exit status. */
    private int execute(String commandLine) throws InterruptedException {
        BundleContext context = framework.getBundleContext();
        ServiceTracker<Object, Object> tracker;
        try {
            tracker = new ServiceTracker<>(context,
                    context.createFilter("(&(objectClass=java.util.function.ToIntFunction)(mdm.exec=true))"), null);
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
        tracker.open(true);
        try {
            Object runner = tracker.waitForService(TimeUnit.SECONDS.toMillis(60));
            if (runner == null) {
                System.err.println("mdm: the shell did not start within 60 s (is bundle mdm.shell active? try ./mdm interactively and 'lb')");
                return 1;
            }
            @SuppressWarnings("unchecked")
            ToIntFunction<String> run = (ToIntFunction<String>) runner;
            return run.applyAsInt(commandLine);
        } finally {
            tracker.close();
        }
    }

    private void stopQuietly() {
        Framework f = framework;
        if (f == null || (f.getState() & (Bundle.ACTIVE | Bundle.STARTING)) == 0) {
            return;
        }
        try {
            f.stop();
            FrameworkEvent event = f.waitForStop(TimeUnit.SECONDS.toMillis(60));
            if (event.getType() == FrameworkEvent.WAIT_TIMEDOUT) {
                System.err.println("mdm: the framework did not stop within 60 s");
            }
        } catch (BundleException | InterruptedException e) {
            System.err.println("mdm: stopping the framework failed: " + e.getMessage());
        }
    }
}
