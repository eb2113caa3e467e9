package mdm.api.eval;

import java.util.function.Consumer;
import org.osgi.annotation.versioning.ProviderType;

/** Generates a checkpoint's images in batches and measures them ({@code mdm:eval}); writes eval.json beside it. */
@ProviderType
public interface CheckpointEvaluator {
    /** @throws mdm.api.MdmException before generating anything when the request cannot be met */
    QualityReport evaluate(CheckpointEvalRequest request, Consumer<EvalProgress> progress);
}
