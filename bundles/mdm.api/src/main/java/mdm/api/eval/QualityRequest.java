package mdm.api.eval;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What to measure.
 *
 * @param dataset        the real data's dataset name
 * @param datasetOptions its options (as in a spec's dataset section)
 * @param featureNetwork a feature network by name, or null for the one that serves the dataset
 * @param metrics        metric names (evaluators), e.g. fd, kid, pr, dc, accuracy
 * @param n              generated images (and real ones, up to the data's size)
 * @param seed           seed of the generated side's conditions and of metric subsets
 * @param output         folder for {@code eval.json} (and features.npz), or null to write nothing
 * @param saveFeatures   also write both sides' feature vectors to {@code features.npz}
 * @param settings       how the images were made (sampler, steps, ...): recorded in eval.json
 */
public record QualityRequest(String dataset, Map<String, Object> datasetOptions, String featureNetwork,
                             List<String> metrics, int n, long seed, Path output, boolean saveFeatures,
                             Map<String, Object> settings) {
    public QualityRequest {
        datasetOptions = datasetOptions == null ? Map.of() : datasetOptions;
        metrics = List.copyOf(metrics);
        settings = settings == null ? Map.of() : settings;
    }
}
