package mdm.api.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EvaluationReportTest {
    @Test
    void figuresKeepTheEvaluatorsOrderAndCannotBeChanged() {
        Map<String, Double> scores = new LinkedHashMap<>();
        for (String k : List.of("shape", "colour", "size", "texture", "all", "two_shape_all")) {
            scores.put(k, 0.5);
        }
        EvaluationReport r = new EvaluationReport(scores, List.of());
        assertEquals(List.copyOf(scores.keySet()), List.copyOf(r.scores().keySet()));
        scores.put("late", 1.0);
        assertEquals(6, r.scores().size());
        assertThrows(UnsupportedOperationException.class, () -> r.scores().put("x", 1.0));
    }

    @Test
    void missingFiguresAreRefused() {
        Map<String, Double> scores = new HashMap<>();
        scores.put("shape", null);
        assertThrows(NullPointerException.class, () -> new EvaluationReport(scores, List.of()));
        Map<String, Double> unnamed = new HashMap<>();
        unnamed.put(null, 1.0);
        assertThrows(NullPointerException.class, () -> new EvaluationReport(unnamed, List.of()));
    }
}
