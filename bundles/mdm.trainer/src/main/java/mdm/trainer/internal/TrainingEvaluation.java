package mdm.trainer.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import mdm.api.Components;
import mdm.api.DjlRuntime;
import mdm.api.MdmException;
import mdm.api.conditioning.Conditioner;
import mdm.api.data.Sample;
import mdm.api.eval.QualityReport;
import mdm.api.eval.QualityRequest;
import mdm.api.eval.SampleQuality;
import mdm.api.model.Backbone;
import mdm.core.config.Json;
import mdm.core.io.StateDicts;
import mdm.core.optim.ExponentialMovingAverage;
import mdm.diffusion.MultiResolutionProcess;

/**
 * Evaluation during training, from the spec's {@code evaluation} section
 * ({@code {every: 1000, n: 2000, metrics: [fd, kid, accuracy]}}): every {@code every} steps the
 * model (with its EMA weights) generates n images in batches, the sample-quality service measures
 * them, and the figures go to {@code metrics.jsonl} with the training images seen so far, plotted
 * as {@code quality-<figure>.png} next to the loss curves. A failed evaluation costs a line in the
 * log, never the run.
 */
final class TrainingEvaluation implements AutoCloseable {
    /** The spec section as written. */
    record Section(Long every, Integer n, List<String> metrics, @JsonProperty("feature_network") String featureNetwork,
                   Integer steps, Double guidance, Long seed, @JsonProperty("batch_size") Integer batchSize) {
    }

    static final String KEY = "evaluation";

    private final Section section;
    private final ComponentRegistry.Lease<SampleQuality> quality;
    private final QualityRequest request;
    private final long[] stageSteps;

    private TrainingEvaluation(Section section, ComponentRegistry.Lease<SampleQuality> quality, QualityRequest request,
                               long[] stageSteps) {
        this.section = section;
        this.quality = quality;
        this.request = request;
        this.stageSteps = stageSteps.clone();
    }

    /** Validates the section and checks it can be met, before training starts; null when the spec has none. */
    static TrainingEvaluation prepare(Experiment exp, ComponentRegistry registry, long[] stageSteps) {
        JsonNode node = Json.tree(exp.spec.source()).get(KEY);
        if (node == null || node.isNull()) {
            return null;
        }
        Section s = Json.bind(node, Section.class, KEY);
        if (s.every() == null || s.every() < 1 || s.n() == null) {
            throw new MdmException("evaluation needs 'every' (steps, ≥ 1) and 'n' (images), e.g. "
                    + "evaluation: {every: 1000, n: 2000, metrics: [fd, kid, accuracy]}");
        }
        SamplingSession.checkGuidance(s.guidance(), "evaluation.guidance");
        List<String> metrics = s.metrics() == null ? List.of("fd", "kid") : s.metrics();
        ComponentRegistry.Lease<SampleQuality> quality = registry.acquire(SampleQuality.class,
                Components.SAMPLE_QUALITY, "mdm");
        try {
            Map<String, Object> made = new LinkedHashMap<>();
            made.put("sampler", exp.spec.sampler().name());
            made.put("steps", s.steps() != null ? s.steps() : exp.spec.sampling().steps());
            made.put("guidance", s.guidance() != null ? s.guidance() : exp.spec.sampling().guidance());
            made.put("weights", exp.spec.optimizer().emaDecay() > 0 ? "ema" : "model");
            QualityRequest request = new QualityRequest(exp.spec.dataset().name(), CheckpointEvaluation.options(exp.spec),
                    s.featureNetwork(), metrics, s.n(), s.seed() != null ? s.seed() : exp.spec.seed(), null, false, made);
            quality.service().check(request);
            return new TrainingEvaluation(s, quality, request, stageSteps);
        } catch (RuntimeException e) {
            quality.release();
            throw e;
        }
    }

    boolean due(long globalStep, long totalSteps) {
        return globalStep % section.every() == 0 || globalStep == totalSteps;
    }

    /** Training images seen after {@code stageStep} steps of stage {@code plan}. */
    long imagesSeen(Experiment exp, StagePlan plan, long stageStep) {
        long accumulation = exp.spec.optimizer().accumulationSteps();
        long seen = 0;
        for (StagePlan p : exp.stages) {
            if (p.index() < plan.index()) {
                seen += stageSteps[p.index()] * p.batchSize() * accumulation;
            }
        }
        return seen + stageStep * plan.batchSize() * accumulation;
    }

    /** Measures the model as it is now (EMA weights swapped in); the record for metrics.jsonl. */
    ObjectNode run(Experiment exp, StagePlan plan, long globalStep, long stageStep, MultiResolutionProcess process,
                   Backbone backbone, Conditioner conditioner, ExponentialMovingAverage ema, DjlRuntime runtime) {
        long started = System.nanoTime();
        try (NDManager m = runtime.newManager()) {
            Map<String, NDArray> saved = null;
            Map<String, NDArray> live = new LinkedHashMap<>(backbone.parameters());
            conditioner.parameters().forEach((k, v) -> live.put(TrainingRun.CONDITIONER_PREFIX + k, v));
            if (ema != null) {
                saved = TrainingRun.copy(live, m);
                StateDicts.loadStrict(ema.parameters(), live);
            }
            try {
                List<Sample> conditions = Conditions.of(List.of(), List.of(), request.n(), exp.data,
                        exp.dataset.service(), exp.spec.dataset().options(), request.seed());
                var s = exp.spec.sampling();
                SamplingSession.Settings settings = new SamplingSession.Settings(
                        section.steps() != null ? section.steps() : s.steps(),
                        section.guidance() != null ? section.guidance() : s.guidance(), s.options());
                BatchedSampling supply = new BatchedSampling(exp, plan, backbone, conditioner, process,
                        exp.sampler.service(), settings, conditions, request.seed(),
                        section.batchSize() != null ? section.batchSize() : CheckpointEvaluation.DEFAULT_BATCH, runtime);
                QualityReport r = quality.service().measure(request, supply, p -> { });
                ObjectNode record = Json.empty();
                record.put("step", globalStep);
                record.put("stage", plan.spec().name());
                record.put("images_seen", imagesSeen(exp, plan, stageStep));
                record.put("quality_n", r.n());
                record.put("feature_network", r.network());
                ObjectNode q = record.putObject("quality");
                r.figures().forEach(q::put);
                record.put("quality_seconds", Math.round((System.nanoTime() - started) / 1e9));
                return record;
            } finally {
                if (saved != null) {
                    StateDicts.loadStrict(saved, live);
                }
            }
        }
    }

    @Override
    public void close() {
        quality.release();
    }
}
