package mdm.api.eval;

import java.util.List;
import java.util.Map;

/**
 * What a feature network is.
 *
 * @param name         its {@code mdm.name}
 * @param weightsHash  SHA-256 of its weights (hex): part of every cache key and every report
 * @param inputSize    the side its images are resized to
 * @param channels     the channels it reads (images with other channel counts are converted)
 * @param dim          width of the feature vectors (its penultimate layer)
 * @param datasets     names of the datasets it was trained for
 * @param heads        classifier heads: head name → class names
 * @param testAccuracy accuracy per head on held-out data, as measured when it was trained
 * @param description  one line for listings
 */
public record FeatureNetworkInfo(String name, String weightsHash, int inputSize, int channels, int dim,
                                 List<String> datasets, Map<String, List<String>> heads,
                                 Map<String, Double> testAccuracy, String description) {
    public FeatureNetworkInfo {
        datasets = List.copyOf(datasets);
        heads = Map.copyOf(heads);
        testAccuracy = Map.copyOf(testAccuracy);
    }
}
