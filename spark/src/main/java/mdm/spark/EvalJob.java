package mdm.spark;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import mdm.api.eval.CheckpointEvalRequest;

/**
 * What a Spark evaluation measures, in plain values that travel with each task: the arguments of
 * {@code mdm:eval <checkpoint> --n --sampler --steps --guidance --seed --ema --metrics --features --batch}, and
 * the work folder whose {@code eval-cache} holds the reference features.
 */
public record EvalJob(String checkpoint, int n, String sampler, Integer steps, Double guidance, long seed,
                      boolean ema, ArrayList<String> metrics, String featureNetwork, int batchSize, String work)
        implements Serializable {
    public EvalJob {
        metrics = new ArrayList<>(metrics);
    }

    public static EvalJob of(Path checkpoint, int n, long seed, List<String> metrics, Path work) {
        return new EvalJob(checkpoint.toAbsolutePath().toString(), n, null, null, null, seed, false,
                new ArrayList<>(metrics), null, 0, work.toAbsolutePath().toString());
    }

    /** The same request mdm:eval makes (features are not saved: the driver writes eval.json only). */
    public CheckpointEvalRequest request() {
        return new CheckpointEvalRequest(Path.of(checkpoint), n, sampler, steps, guidance, seed, ema, metrics,
                featureNetwork, false, batchSize);
    }
}
