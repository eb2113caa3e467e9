package mdm.trainer.internal;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import mdm.api.Components;
import mdm.api.DjlRuntime;
import mdm.api.MdmException;
import mdm.api.conditioning.Conditioner;
import mdm.api.data.Sample;
import mdm.api.diffusion.Sampler;
import mdm.api.eval.CheckpointEvalRequest;
import mdm.api.eval.QualityRequest;
import mdm.api.eval.SampleQuality;
import mdm.api.eval.SampleSupply;
import mdm.api.model.Backbone;
import mdm.api.train.ExperimentSpec;
import mdm.core.config.Json;
import mdm.core.io.StateDicts;
import mdm.core.runtime.GradMode;

/**
 * What mdm:eval generates, opened once: the checkpoint's network with its weights, its conditioner and sampler,
 * the conditions of all N images and the quality request that measures them. The request is checked (metrics,
 * feature network, N, a dataset to compare with) before anything is generated. {@link #supply()} hands out the
 * images in order (mdm:eval); {@link #chunk} makes any one chunk of them on its own, the same images, so that
 * the work can be split over processes (the Spark job) and still give mdm:eval's figures.
 */
public final class EvalGeneration implements AutoCloseable {
    static final int DEFAULT_BATCH = 200;

    private final ComponentRegistry.Lease<SampleQuality> quality;
    private final Experiment exp;
    private final NDManager manager;
    private final StagePlan plan;
    private final Backbone backbone;
    private final Conditioner conditioner;
    private final ComponentRegistry.Lease<Sampler> sampler;
    private final SamplingSession.Settings settings;
    private final List<Sample> conditions;
    private final QualityRequest qualityRequest;
    private final long seed;
    private final int batch;
    private final DjlRuntime runtime;

    private EvalGeneration(ComponentRegistry.Lease<SampleQuality> quality, Experiment exp, NDManager manager,
                           StagePlan plan, Backbone backbone, Conditioner conditioner,
                           ComponentRegistry.Lease<Sampler> sampler, SamplingSession.Settings settings,
                           List<Sample> conditions, QualityRequest qualityRequest, long seed, int batch,
                           DjlRuntime runtime) {
        this.quality = quality;
        this.exp = exp;
        this.manager = manager;
        this.plan = plan;
        this.backbone = backbone;
        this.conditioner = conditioner;
        this.sampler = sampler;
        this.settings = settings;
        this.conditions = conditions;
        this.qualityRequest = qualityRequest;
        this.seed = seed;
        this.batch = batch;
        this.runtime = runtime;
    }

    /** Loads the checkpoint for {@code request}; close the result to release it. */
    public static EvalGeneration open(CheckpointEvalRequest request, ComponentRegistry registry, DjlRuntime runtime) {
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
        Experiment exp = null;
        NDManager m = null;
        Conditioner conditioner = null;
        ComponentRegistry.Lease<Sampler> sampler = null;
        boolean opened = false;
        try {
            exp = ExperimentResolver.resolve(spec, registry);
            m = runtime.newManager();
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
            conditioner = exp.conditioner.service().create(spec.conditioner().options(), exp.data, m, spec.seed());
            loadConditioner(checkpoint, ema, conditioner, m, spec);
            sampler = registry.acquire(Sampler.class, Components.SAMPLER, samplerName);
            List<Sample> conditions = Conditions.of(List.of(), List.of(), request.n(), exp.data,
                    exp.dataset.service(), spec.dataset().options(), request.seed());
            EvalGeneration g = new EvalGeneration(quality, exp, m, plan, backbone, conditioner, sampler, settings,
                    conditions, q, request.seed(), batch, runtime);
            opened = true;
            return g;
        } finally {
            if (!opened) {
                if (sampler != null) {
                    sampler.release();
                }
                if (conditioner != null) {
                    conditioner.close();
                }
                if (m != null) {
                    m.close();
                }
                if (exp != null) {
                    exp.close();
                }
                quality.release();
            }
        }
    }

    /** The request that measures these images (dataset, metrics, feature network, N, seed, settings). */
    public QualityRequest qualityRequest() {
        return qualityRequest;
    }

    public SampleQuality quality() {
        return quality.service();
    }

    /** All N images in order, generated as asked for. */
    public SampleSupply supply() {
        return new BatchedSampling(exp, plan, backbone, conditioner, plan.process(exp.schedule.service(), exp.frames),
                sampler.service(), settings, conditions, seed, batch, runtime, 0, 0);
    }

    /**
     * The images of chunk {@code index} when N images are asked of {@link #supply()} {@code chunkSize} at a time:
     * each chunk's generation batches get the noise seeds they get there, so these are the same images.
     */
    public List<Sample> chunk(int index, int chunkSize) {
        int from = Math.multiplyExact(index, chunkSize);
        if (index < 0 || from >= conditions.size()) {
            throw new MdmException("chunk " + index + " of " + chunkSize + " images is outside N = " + conditions.size());
        }
        int batchesPerChunk = (chunkSize + batch - 1) / batch;
        BatchedSampling s = new BatchedSampling(exp, plan, backbone, conditioner,
                plan.process(exp.schedule.service(), exp.frames), sampler.service(), settings, conditions, seed, batch,
                runtime, from, index * batchesPerChunk);
        return s.next(Math.min(chunkSize, conditions.size() - from));
    }

    /** The number of chunks of {@code chunkSize} images N makes. */
    public int chunks(int chunkSize) {
        return (conditions.size() + chunkSize - 1) / chunkSize;
    }

    @Override
    public void close() {
        try {
            sampler.release();
            conditioner.close();
            manager.close();
            exp.close();
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
