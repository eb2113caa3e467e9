package mdm.trainer.internal;

import java.util.Map;
import java.util.function.Consumer;
import mdm.api.DjlRuntime;
import mdm.api.eval.CheckpointEvalRequest;
import mdm.api.eval.CheckpointEvaluator;
import mdm.api.eval.EvalProgress;
import mdm.api.eval.QualityReport;
import mdm.api.train.ExperimentSpec;

/**
 * mdm:eval: checks the request (metrics, feature network, N, a dataset to compare with) before
 * anything is generated, then generates the checkpoint's images in batches ({@link EvalGeneration}) and
 * hands them to the sample-quality service, which writes {@code eval.json} beside the checkpoint.
 */
public final class CheckpointEvaluation implements CheckpointEvaluator {
    static final int DEFAULT_BATCH = EvalGeneration.DEFAULT_BATCH;

    private final ComponentRegistry registry;
    private final DjlRuntime runtime;

    public CheckpointEvaluation(ComponentRegistry registry, DjlRuntime runtime) {
        this.registry = registry;
        this.runtime = runtime;
    }

    @Override
    public QualityReport evaluate(CheckpointEvalRequest request, Consumer<EvalProgress> progress) {
        try (EvalGeneration g = EvalGeneration.open(request, registry, runtime)) {
            return g.quality().measure(g.qualityRequest(), g.supply(), progress);
        }
    }

    static Map<String, Object> options(ExperimentSpec spec) {
        return EvalGeneration.options(spec);
    }
}
