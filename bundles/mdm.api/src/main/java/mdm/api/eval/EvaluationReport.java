package mdm.api.eval;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Scores of a set of generated samples: aggregate figures by name (e.g. {@code colour} → 0.85)
 * and, per sample, what was checked and whether it held. The figures keep the evaluator's order,
 * so that tables and log lines list them as the evaluator means them to be read.
 */
public record EvaluationReport(Map<String, Double> scores, List<Map<String, Boolean>> perSample) {
    public EvaluationReport {
        scores.forEach((k, v) -> Objects.requireNonNull(k == null ? null : v, () -> "score " + k + " is null"));
        scores = Collections.unmodifiableMap(new LinkedHashMap<>(scores));
        perSample = List.copyOf(perSample);
    }
}
