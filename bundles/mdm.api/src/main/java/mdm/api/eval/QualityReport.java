package mdm.api.eval;

import java.nio.file.Path;
import java.util.Map;

/**
 * Measured figures.
 *
 * @param figures     figure name → value (fd, kid, kid_std, precision, recall, ...)
 * @param n           images on the measured side
 * @param realCount   real images in the reference
 * @param network     the feature network used
 * @param weightsHash its weights' hash
 * @param details     what was measured and how (dataset, settings, timings): as in eval.json
 * @param file        the eval.json written, or null
 */
public record QualityReport(Map<String, Double> figures, int n, int realCount, String network,
                            String weightsHash, Map<String, Object> details, Path file) {
}
