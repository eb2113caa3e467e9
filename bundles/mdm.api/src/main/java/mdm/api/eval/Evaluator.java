package mdm.api.eval;

import java.util.List;
import mdm.api.data.Sample;
import org.osgi.annotation.versioning.ConsumerType;

/** An evaluator by name ({@code mdm.kind=evaluator}), e.g. the shapes checker. */
@ConsumerType
public interface Evaluator {
    /** Whether it can judge samples of this dataset (by dataset name). */
    boolean supports(String datasetName);

    /**
     * Scores generated samples against the condition each was generated from (its label/caption).
     * Pixels are in [-1, 1] as in {@link Sample}.
     */
    EvaluationReport evaluate(List<Sample> generated);
}
