package mdm.trainer.internal;

import java.util.function.Consumer;
import mdm.api.DjlRuntime;
import mdm.api.eval.CheckpointEvalRequest;
import mdm.api.eval.CheckpointEvaluator;
import mdm.api.eval.EvalProgress;
import mdm.api.eval.QualityReport;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** The checkpoint evaluator service behind mdm:eval. */
@Component(service = CheckpointEvaluator.class)
public class CheckpointEvaluatorComponent implements CheckpointEvaluator {
    private final CheckpointEvaluation service;

    @Activate
    public CheckpointEvaluatorComponent(@Reference DjlRuntime runtime, BundleContext context) {
        this.service = new CheckpointEvaluation(new OsgiComponentRegistry(context), runtime);
    }

    @Override
    public QualityReport evaluate(CheckpointEvalRequest request, Consumer<EvalProgress> progress) {
        return service.evaluate(request, progress);
    }
}
