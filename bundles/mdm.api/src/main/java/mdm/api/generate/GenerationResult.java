package mdm.api.generate;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import mdm.api.eval.EvaluationReport;

/**
 * What was written.
 *
 * @param folder     the output folder
 * @param grids      one grid per resolution level (highest first), or GIFs for video
 * @param images     every single image (or clip) file
 * @param conditions the caption or label each image was generated from
 * @param evaluation the evaluator's report, or null when none applies
 * @param millis     wall time of sampling
 */
public record GenerationResult(Path folder, List<Path> grids, List<Path> images, List<String> conditions,
                               EvaluationReport evaluation, Map<String, Object> details, long millis) {
}
