package mdm.trainer.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import mdm.api.DjlRuntime;
import mdm.api.conditioning.Conditioner;
import mdm.api.data.Sample;
import mdm.api.diffusion.Sampler;
import mdm.api.eval.SampleSupply;
import mdm.api.model.Backbone;
import mdm.diffusion.MultiResolutionProcess;

/**
 * Generates a long run of images batch by batch for measuring (mdm:eval, evaluation during
 * training): the conditions are fixed up front, each batch gets its own noise seed, only the top
 * level of each batch leaves the tensor engine, and nothing is written to disk.
 */
final class BatchedSampling implements SampleSupply {
    private final Experiment exp;
    private final StagePlan plan;
    private final Backbone backbone;
    private final Conditioner conditioner;
    private final MultiResolutionProcess process;
    private final Sampler sampler;
    private final SamplingSession.Settings settings;
    private final List<Sample> conditions;
    private final long seed;
    private final DjlRuntime runtime;
    private final int batchSize;
    private int next;
    private int batchIndex;

    BatchedSampling(Experiment exp, StagePlan plan, Backbone backbone, Conditioner conditioner,
                    MultiResolutionProcess process, Sampler sampler, SamplingSession.Settings settings,
                    List<Sample> conditions, long seed, int batchSize, DjlRuntime runtime) {
        this(exp, plan, backbone, conditioner, process, sampler, settings, conditions, seed, batchSize, runtime, 0, 0);
    }

    /**
     * Starting at image {@code from}, whose generation batch is the {@code batchIndex}-th (its noise seed):
     * a part of the run made on its own (see {@link EvalGeneration#chunk}).
     */
    BatchedSampling(Experiment exp, StagePlan plan, Backbone backbone, Conditioner conditioner,
                    MultiResolutionProcess process, Sampler sampler, SamplingSession.Settings settings,
                    List<Sample> conditions, long seed, int batchSize, DjlRuntime runtime, int from, int batchIndex) {
        this.next = from;
        this.batchIndex = batchIndex;
        this.batchSize = Math.max(1, batchSize);
        this.exp = exp;
        this.plan = plan;
        this.backbone = backbone;
        this.conditioner = conditioner;
        this.process = process;
        this.sampler = sampler;
        this.settings = settings;
        this.conditions = conditions;
        this.seed = seed;
        this.runtime = runtime;
    }

    /** The next {@code count} images, generated {@code batchSize} at a time. */
    @Override
    public List<Sample> next(int count) {
        List<Sample> out = new ArrayList<>(count);
        while (out.size() < count && next < conditions.size()) {
            out.addAll(generate(Math.min(batchSize, count - out.size())));
        }
        return out;
    }

    private List<Sample> generate(int count) {
        List<Sample> batch = conditions.subList(next, Math.min(conditions.size(), next + count));
        next += batch.size();
        long batchSeed = seed * 1_000_003L + batchIndex++;
        try (NDManager m = runtime.newManager()) {
            List<NDArray> levels = SamplingSession.sample(backbone, conditioner, process, sampler, settings, batch, 3,
                    plan.resolution(), batchSeed, null, m);
            List<Sample> judged = batch.stream().map(conditioner::conditionOf).toList();
            return SampleWriter.samples(levels.get(0), judged, exp.tiles(plan).get(0), exp.data.classNames());
        }
    }
}
