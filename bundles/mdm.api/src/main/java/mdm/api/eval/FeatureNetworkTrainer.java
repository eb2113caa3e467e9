package mdm.api.eval;

import java.nio.file.Path;
import java.util.function.Consumer;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Trains a feature network from a spec ({@code mdm:featurenet}); the network is registered under
 * its name as soon as it is written.
 */
@ProviderType
public interface FeatureNetworkTrainer {
    /**
     * @param spec   the feature network spec (YAML or JSON)
     * @param output the folder to write, or null for {@code <work>/featurenets/<name>}
     * @param log    progress lines
     */
    FeatureNetworkInfo train(Path spec, Path output, Consumer<String> log);
}
