package mdm.features;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.osgi.service.feature.Feature;
import org.osgi.service.feature.FeatureService;

/**
 * The features found in one folder ({@code *.json}), read with the Feature Service. A feature in
 * category {@value #BOOT} is installed when the runtime starts; the others wait for
 * {@code mdm:install}.
 */
public final class FeatureCatalog {
    public static final String BOOT = "boot";

    private final Map<String, Feature> byName;

    private FeatureCatalog(Map<String, Feature> byName) {
        this.byName = byName;
    }

    /** Reads every {@code *.json} in {@code folder}, in file-name order. */
    public static FeatureCatalog read(Path folder, FeatureService service) {
        if (!Files.isDirectory(folder)) {
            throw new IllegalArgumentException("feature folder " + folder.toAbsolutePath() + " does not exist");
        }
        Map<String, Feature> features = new LinkedHashMap<>();
        try (Stream<Path> files = Files.list(folder)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".json")).sorted().toList()) {
                Feature feature = readOne(file, service);
                features.put(shortName(feature), feature);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + folder + ": " + e.getMessage(), e);
        }
        return new FeatureCatalog(features);
    }

    private static Feature readOne(Path file, FeatureService service) {
        try (Reader reader = Files.newBufferedReader(file)) {
            return service.readFeature(reader);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("feature file " + file + " is not valid Feature JSON: " + e.getMessage(), e);
        }
    }

    /** The name users type: the feature's artifact id (e.g. {@code mdm-core}). */
    public static String shortName(Feature feature) {
        return feature.getID().getArtifactId();
    }

    public List<Feature> all() {
        return List.copyOf(byName.values());
    }

    public List<Feature> boot() {
        List<Feature> boot = new ArrayList<>();
        for (Feature f : byName.values()) {
            if (f.getCategories().contains(BOOT)) {
                boot.add(f);
            }
        }
        return boot;
    }

    /** By short name or full Maven id. */
    public Optional<Feature> find(String name) {
        Feature f = byName.get(name);
        if (f != null) {
            return Optional.of(f);
        }
        return byName.values().stream().filter(x -> x.getID().toString().equals(name)).findFirst();
    }

    public List<String> names() {
        return List.copyOf(byName.keySet());
    }
}
