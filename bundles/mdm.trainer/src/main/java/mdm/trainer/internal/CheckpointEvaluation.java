package mdm.trainer.internal;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import mdm.api.Components;
import mdm.api.DjlRuntime;
import mdm.api.MdmException;
import mdm.api.conditioning.Conditioner;
import mdm.api.data.Sample;
import mdm.api.diffusion.Sampler;
import mdm.api.eval.CheckpointEvalRequest;
import mdm.api.eval.CheckpointEvaluator;
import mdm.api.eval.EvalProgress;
import mdm.api.eval.QualityReport;
import mdm.api.eval.QualityRequest;
import mdm.api.eval.SampleQuality;
import mdm.api.model.Backbone;
import mdm.api.train.ExperimentSpec;
import mdm.core.config.Json;
import mdm.core.io.StateDicts;
import mdm.core.runtime.GradMode;

/**
 * mdm:eval: checks the request (metrics, feature network, N, a dataset to compare with) before
 * anything is generated, then generates the checkpoint's images in batches and hands them to the
 * sample-quality service, which writes {@code eval.json} beside the checkpoint.
 */
public final class CheckpointEvaluation implements CheckpointEvaluator {
    static final int DEFAULT_BATCH = 200;

    private final ComponentRegistry registry;
    private final DjlRuntime runtime;

    public CheckpointEvaluation(ComponentRegistry registry, DjlRuntime runtime) {
        this.registry = registry;
        this.runtime = runtime;
    }

    @Override
    public QualityReport evaluate(CheckpointEvalRequest request, Consumer<EvalProgress> progress) {
        SamplingSession.checkGuidance(request.guidance(), "guidance");
        GradMode.disable();
        Path checkpoint = GenerationService.locate(request.checkpoint());
        JsonNode record = Json.read(checkpoint.resolve(CheckpointStore.EXPERIMENT));
        ExperimentSpec spec = GenerationService.rebuildSpec(record, checkpoint);
        if (spec.dataset() == null) {
            throw new MdmException("checkpoint " + checkpoint + " names no dataset (an imported model, only sampled):"
                    + " mdm:eval compares generated images with real ones, so it needs the model's training data."
                    + " Measure a data set alone with mdm:eval --real <spec or dataset>");
        }
        ComponentRegistry.Lease<SampleQuality> quality = registry.acquire(SampleQuality.class,
                Components.SAMPLE_QUALITY, "mdm");
        try (Experiment exp = ExperimentResolver.resolve(spec, registry); NDManager m = runtime.newManager()) {
            var s = spec.sampling();
            String samplerName = request.sampler() != null ? request.sampler() : spec.sampler().name();
            SamplingSession.Settings settings = new SamplingSession.Settings(
                    request.steps() != null ? request.steps() : s.steps(),
                    request.guidance() != null ? request.guidance() : s.guidance(), s.options());
            int stageIndex = record.path("stage").asInt(exp.stages.size() - 1);
            StagePlan plan = exp.stages.get(Math.min(stageIndex, exp.stages.size() - 1));
            boolean ema = request.ema() && Files.exists(checkpoint.resolve(CheckpointStore.EMA));
            Map<String, Object> made = new LinkedHashMap<>();
            made.put("checkpoint", checkpoint.toString());
            made.put("step", CheckpointState.read(checkpoint.resolve(CheckpointStore.STATE)).globalStep());
            made.put("weights", ema ? "ema" : "model");
            made.put("sampler", samplerName);
            made.put("steps", settings.steps());
            made.put("guidance", settings.guidance());
            made.put("resolution", plan.resolution());
            int batch = request.batchSize() > 0 ? request.batchSize() : DEFAULT_BATCH;
            made.put("batch_size", batch);
            QualityRequest q = new QualityRequest(spec.dataset().name(), options(spec), request.featureNetwork(),
                    request.metrics(), request.n(), request.seed(), checkpoint, request.saveFeatures(), made);
            quality.service().check(q);
            if (request.metrics().contains("accuracy") && exp.data.numClasses() == 0 && !exp.data.hasCaptions()) {
                throw new MdmException("accuracy needs a model conditioned on labels or captions; '" + exp.data.name()
                        + "' has neither with these options: leave accuracy out of --metrics");
            }
            Backbone backbone = plan.factory().create(plan.config(), m, 0);
            CheckpointStore.loadVerified(checkpoint, ema ? CheckpointStore.EMA : CheckpointStore.MODEL, true, m,
                    weights -> StateDicts.loadStrict(weights, backbone.parameters()));
            Conditioner conditioner = exp.conditioner.service().create(spec.conditioner().options(), exp.data, m, spec.seed());
            try {
                loadConditioner(checkpoint, ema, conditioner, m, spec);
                ComponentRegistry.Lease<Sampler> sampler = registry.acquire(Sampler.class, Components.SAMPLER, samplerName);
                try {
                    List<Sample> conditions = Conditions.of(List.of(), List.of(), request.n(), exp.data,
                            exp.dataset.service(), spec.dataset().options(), request.seed());
                    BatchedSampling supply = new BatchedSampling(exp, plan, backbone, conditioner,
                            plan.process(exp.schedule.service(), exp.frames), sampler.service(), settings, conditions,
                            request.seed(), batch, runtime);
                    return quality.service().measure(q, supply, progress);
                } finally {
                    sampler.release();
                }
            } finally {
                conditioner.close();
            }
        } finally {
            quality.release();
        }
    }

    private static void loadConditioner(Path checkpoint, boolean ema, Conditioner conditioner, NDManager m,
                                        ExperimentSpec spec) {
        if (conditioner.parameters().isEmpty()) {
            return;
        }
        Path file = checkpoint.resolve(ema && Files.exists(checkpoint.resolve(CheckpointStore.CONDITIONER_EMA))
                ? CheckpointStore.CONDITIONER_EMA : CheckpointStore.CONDITIONER);
        if (!Files.exists(file)) {
            throw new MdmException("checkpoint " + checkpoint + " has no weights for conditioner '"
                    + spec.conditioner().name() + "' (" + file.getFileName() + " is missing)");
        }
        CheckpointStore.loadVerified(checkpoint, file.getFileName().toString(), false, m,
                w -> StateDicts.loadStrict(w, conditioner.parameters()));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> options(ExperimentSpec spec) {
        return Json.mapper().convertValue(spec.dataset().options(), Map.class);
    }
}
