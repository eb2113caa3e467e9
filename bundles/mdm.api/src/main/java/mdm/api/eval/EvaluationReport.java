package mdm.api.eval;

import java.util.List;
import java.util.Map;

/**
 * Scores of a set of generated samples: aggregate figures by name (e.g. {@code colour} → 0.85)
 * and, per sample, what was checked and whether it held.
 */
public record EvaluationReport(Map<String, Double> scores, List<Map<String, Boolean>> perSample) {
    public EvaluationReport {
        scores = Map.copyOf(scores);
        perSample = List.copyOf(perSample);
    }
}
