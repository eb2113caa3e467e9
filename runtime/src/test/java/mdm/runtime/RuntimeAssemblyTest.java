package mdm.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import mdm.features.BundleLocations;
import mdm.features.FeatureCatalog;
import mdm.features.LaunchingProperties;
import org.apache.felix.feature.impl.FeatureServiceImpl;
import org.junit.jupiter.api.Test;
import org.osgi.service.feature.Feature;
import org.osgi.service.feature.FeatureBundle;

/** The feature files and the assembled repository name the same bundles, and every feature parses. */
class RuntimeAssemblyTest {
    static final Path HOME = Path.of(System.getProperty("mdm.home", "target/mdm"));

    @Test
    void everyFeatureBundleIsInTheRepositoryAndNothingElse() throws IOException {
        FeatureCatalog catalog = FeatureCatalog.read(HOME.resolve("features"), new FeatureServiceImpl());
        BundleLocations locations = new BundleLocations(HOME.resolve("repository"));
        Set<String> named = new TreeSet<>();
        for (Feature f : catalog.all()) {
            for (FeatureBundle b : f.getBundles()) {
                named.add(locations.jar(b.getID()).getFileName().toString());
            }
        }
        Set<String> present;
        try (Stream<Path> s = Files.list(HOME.resolve("repository"))) {
            present = s.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
        }
        assertEquals(named, present, "runtime/pom.xml's bundle list and features/*.json must agree");
    }

    @Test
    void bootFeaturesIncludeTheSystemFeatureAndVersionsAreFilledIn() {
        FeatureCatalog catalog = FeatureCatalog.read(HOME.resolve("features"), new FeatureServiceImpl());
        assertTrue(catalog.boot().stream().anyMatch(f -> f.getCategories().contains("system")));
        for (Feature f : catalog.all()) {
            assertFalse(f.getID().toString().contains("${"), f.getID().toString());
        }
    }

    /** The dashboard listens on loopback port 8642 from the start: its feature sets the framework properties. */
    @Test
    void bootFeaturesFrameworkPropertiesPutTheDashboardOnLoopback() {
        FeatureCatalog catalog = FeatureCatalog.read(HOME.resolve("features"), new FeatureServiceImpl());
        var props = LaunchingProperties.of(catalog.boot());
        assertEquals("127.0.0.1", props.get("org.apache.felix.http.host"));
        assertEquals("8642", props.get("org.osgi.service.http.port"));
    }

    @Test
    void optionsParse() {
        LaunchOptions o = LaunchOptions.parse(new String[] {"--device", "gpu:1", "mdm:sample", "run", "--prompt",
                "a red circle"}, Path.of("h"), Path.of("w"));
        assertEquals("gpu:1", o.device());
        assertEquals("mdm:sample run --prompt 'a red circle'", o.command());
        assertEquals("lb; mdm:list", LaunchOptions.parse(new String[] {"lb; mdm:list"}, HOME, HOME).command());
    }
}
