package mdm.features;

import java.nio.file.Files;
import java.nio.file.Path;
import org.osgi.service.feature.ID;

/**
 * Maps a bundle's Maven id to its jar in the runtime's repository (a flat folder of
 * {@code artifactId-version[-classifier].jar}, as Maven's dependency plugin copies them), and to the
 * location it is installed from. Bundles are installed by reference, so the framework does not
 * copy them (the DJL bundle is over 100 MB).
 */
public final class BundleLocations {
    private final Path repository;

    public BundleLocations(Path repository) {
        this.repository = repository;
    }

    /** The jar of {@code id}; fails with the command that builds it when it is missing. */
    public Path jar(ID id) {
        String file = id.getArtifactId() + "-" + id.getVersion()
                + id.getClassifier().map(c -> "-" + c).orElse("") + "." + id.getType().orElse("jar");
        Path jar = repository.resolve(file);
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("bundle " + id + " is not in the runtime repository (" + jar
                    + "). Build it: mvn -q install -DskipTests");
        }
        return jar;
    }

    /** The install location: {@code reference:file:...}. */
    public String location(ID id) {
        return "reference:" + jar(id).toUri();
    }
}
