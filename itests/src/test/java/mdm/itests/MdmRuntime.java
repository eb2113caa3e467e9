package mdm.itests;

import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import mdm.features.BundleLocations;
import mdm.features.FeatureCatalog;
import mdm.features.LaunchingProperties;
import org.apache.felix.feature.impl.FeatureServiceImpl;
import org.ops4j.pax.exam.Option;
import org.osgi.service.feature.Feature;
import org.osgi.service.feature.FeatureBundle;

/**
 * The Pax Exam configuration of the real runtime: the boot features of the assembled runtime,
 * read with the Feature Service exactly as the launcher reads them, and the launcher's framework
 * properties.
 */
final class MdmRuntime {
    static final Path HOME = Path.of(System.getProperty("mdm.home", "../runtime/target/mdm")).toAbsolutePath();
    /**
     * A fresh work folder per test JVM, so reruns without a clean start from nothing. The test
     * driver picks it and the probe inside the framework (same JVM, other class loader) reads it back.
     */
    static final Path WORK = workFolder();

    private static synchronized Path workFolder() {
        String chosen = System.getProperty("mdm.itest.run");
        if (chosen == null) {
            chosen = Path.of(System.getProperty("mdm.itest.work", "target/work"), "run-" + System.currentTimeMillis()
                    + "-" + ProcessHandle.current().pid()).toAbsolutePath().toString();
            System.setProperty("mdm.itest.run", chosen);
        }
        return Path.of(chosen);
    }

    private MdmRuntime() {
    }

    static Option[] options() {
        return options(null);
    }

    /**
     * The runtime with mdm.djl.nonatives in place of mdm.djl, its engine loading libtorch and DJL's JNI
     * library from a folder (PYTORCH_LIBRARY_PATH, here as system properties, which DJL reads when the
     * environment does not set them): the rehearsal of "GPU with your own PyTorch" in OSGi.
     */
    static Option[] ownPyTorch() {
        Path nonatives = Path.of(System.getProperty("mdm.itest.nonatives", "missing-mdm.djl.nonatives.jar"));
        List<Option> options = new ArrayList<>(List.of(options(nonatives)));
        options.add(systemProperty("PYTORCH_LIBRARY_PATH").value(System.getProperty("mdm.itest.libtorch")));
        options.add(systemProperty("PYTORCH_VERSION").value(System.getProperty("mdm.itest.pytorch.version")));
        options.add(systemProperty("PYTORCH_FLAVOR").value("cpu"));
        return options.toArray(new Option[0]);
    }

    /** @param djlBundle a jar installed instead of the features' mdm.djl, or null */
    private static Option[] options(Path djlBundle) {
        FeatureCatalog catalog = FeatureCatalog.read(HOME.resolve("features"), new FeatureServiceImpl());
        BundleLocations locations = new BundleLocations(HOME.resolve("repository"));
        List<Feature> boot = catalog.boot();
        List<Option> options = new ArrayList<>();
        for (Feature feature : boot) {
            for (FeatureBundle fb : feature.getBundles()) {
                if (fb.getID().getArtifactId().equals("org.apache.felix.gogo.jline")) {
                    continue; // the terminal console; tests drive commands through the CommandProcessor
                }
                boolean swap = djlBundle != null && fb.getID().getArtifactId().equals("mdm.djl");
                options.add(bundle(swap ? "reference:" + djlBundle.toUri() : locations.location(fb.getID())));
            }
        }
        options.add(junitBundles());
        Map<String, String> launching = new LinkedHashMap<>(LaunchingProperties.of(boot));
        // the dashboard on a free port: tests never take 8642 from a runtime someone is using (Web finds the port)
        launching.put("org.osgi.service.http.port", "0");
        launching.forEach((k, v) -> options.add(frameworkProperty(k).value(v)));
        options.add(frameworkProperty("mdm.samples.dir").value(Itest.SAMPLES.toString()));
        options.add(frameworkProperty("mdm.work").value(WORK.toString()));
        options.add(frameworkProperty("mdm.features.dir").value(HOME.resolve("features").toString()));
        options.add(frameworkProperty("mdm.repository").value(HOME.resolve("repository").toString()));
        options.add(frameworkProperty("mdm.features.booted").value(
                boot.stream().map(FeatureCatalog::shortName).collect(Collectors.joining(","))));
        options.add(frameworkProperty("mdm.batch").value("true"));
        options.add(systemProperty("ai.djl.offline").value("true"));
        return options.toArray(new Option[0]);
    }
}
