package mdm.trainer.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import mdm.api.generate.GenerationRequest;
import mdm.api.generate.GenerationResult;
import mdm.api.generate.Generator;
import mdm.api.model.Backbone;
import mdm.api.train.ExperimentSpec;
import mdm.core.config.Json;
import mdm.core.io.StateDicts;
import mdm.core.runtime.GradMode;
import mdm.diffusion.MultiResolutionProcess;
import mdm.trainer.internal.spec.SpecReader;

/**
 * Samples from a checkpoint with the components its experiment names, found in the registry as
 * it is now. The same seed gives the same images.
 */
public final class GenerationService implements Generator {
    private final ComponentRegistry registry;
    private final DjlRuntime runtime;

    public GenerationService(ComponentRegistry registry, DjlRuntime runtime) {
        this.registry = registry;
        this.runtime = runtime;
    }

    @Override
    public GenerationResult generate(GenerationRequest request) {
        SamplingSession.checkGuidance(request.guidance(), "guidance");
        GradMode.disable();
        long started = System.nanoTime();
        Path checkpoint = locate(request.checkpoint());
        JsonNode record = Json.read(checkpoint.resolve(CheckpointStore.EXPERIMENT));
        ExperimentSpec spec = rebuildSpec(record, checkpoint);
        if (request.n() < 1) {
            throw new MdmException("--n must be at least 1");
        }
        try (Experiment exp = ExperimentResolver.resolve(spec, registry); NDManager m = runtime.newManager()) {
            int stageIndex = record.path("stage").asInt(exp.stages.size() - 1);
            StagePlan plan = exp.stages.get(Math.min(stageIndex, exp.stages.size() - 1));
            Backbone backbone = plan.factory().create(plan.config(), m, 0);
            boolean ema = request.ema() && Files.exists(checkpoint.resolve(CheckpointStore.EMA));
            // every file of the checkpoint is checked, not only the one sampled from
            CheckpointStore.loadVerified(checkpoint, ema ? CheckpointStore.EMA : CheckpointStore.MODEL, true, m,
                    weights -> {
                        try {
                            StateDicts.loadStrict(weights, backbone.parameters());
                        } catch (MdmException e) {
                            throw new MdmException("checkpoint " + checkpoint + " does not fit the model its "
                                    + "experiment describes (" + plan.backboneName() + "): " + e.getMessage(), e);
                        }
                    });
            Conditioner conditioner = exp.conditioner.service().create(spec.conditioner().options(), exp.data, m,
                    spec.seed());
            Path condFile = checkpoint.resolve(ema && Files.exists(checkpoint.resolve(CheckpointStore.CONDITIONER_EMA))
                    ? CheckpointStore.CONDITIONER_EMA : CheckpointStore.CONDITIONER);
            if (!conditioner.parameters().isEmpty()) {
                if (!Files.exists(condFile)) {
                    throw new MdmException("checkpoint " + checkpoint + " has no weights for conditioner '"
                            + spec.conditioner().name() + "' (" + condFile.getFileName() + " is missing)");
                }
                CheckpointStore.loadVerified(checkpoint, condFile.getFileName().toString(), false, m,
                        weights -> StateDicts.loadStrict(weights, conditioner.parameters()));
            }
            var s = spec.sampling();
            String samplerName = request.sampler() != null ? request.sampler() : spec.sampler().name();
            ComponentRegistry.Lease<Sampler> sampler = registry.acquire(Sampler.class, Components.SAMPLER, samplerName);
            try {
                MultiResolutionProcess process = plan.process(exp.schedule.service(), exp.frames);
                List<Sample> conditions = Conditions.of(request.prompts(), request.labels(), request.n(), exp.data,
                        exp.dataset == null ? null : exp.dataset.service(),
                        spec.dataset() == null ? null : spec.dataset().options(), request.seed());
                SamplingSession.Settings settings = new SamplingSession.Settings(
                        request.steps() != null ? request.steps() : s.steps(),
                        request.guidance() != null ? request.guidance() : s.guidance(),
                        // the spec's sampler options belong to the spec's sampler, not to one asked for instead
                        request.samplerOptions() != null ? request.samplerOptions()
                                : samplerName.equals(spec.sampler().name()) ? s.options() : mdm.api.Options.empty());
                long t0 = System.nanoTime();
                List<NDArray> levels = SamplingSession.sample(backbone, conditioner, process, sampler.service(),
                        settings, conditions, 3, plan.resolution(), request.seed(), null, m);
                long sampling = (System.nanoTime() - t0) / 1_000_000;
                Path out = request.output() != null ? request.output()
                        : checkpoint.resolve("samples").resolve("seed-" + request.seed());
                List<Sample> judged = conditions.stream().map(conditioner::conditionOf).toList();
                // conditions given as a list cycle: one column per entry puts each in its own column
                int given = Math.max(request.prompts().size(), request.labels().size());
                int columns = given > 1 && given <= 16 && request.n() % given == 0 ? given : 0;
                SampleWriter.Result r = SampleWriter.write(levels, judged, exp.data, exp.tiles(plan), out, "grid", true,
                        exp.evaluator == null ? null : exp.evaluator.service(), columns);
                Map<String, Object> details = new LinkedHashMap<>();
                details.put("checkpoint", checkpoint.toString());
                details.put("weights", ema ? "ema" : "model");
                details.put("sampler", samplerName);
                details.put("steps", settings.steps());
                details.put("guidance", settings.guidance());
                details.put("levels", plan.sides());
                details.put("sampling_ms", sampling);
                details.put("ms_per_image", (double) sampling / request.n());
                details.put("index", out.resolve(SampleWriter.INDEX).toString());
                List<String> described = judged.stream().map(c -> Conditions.describe(c, exp.data)).toList();
                conditioner.close();
                return new GenerationResult(out, r.grids(), r.files(), described, r.report(), details,
                        (System.nanoTime() - started) / 1_000_000);
            } finally {
                sampler.release();
            }
        }
    }

    /** A checkpoint folder, or a run folder whose latest checkpoint is used. */
    static Path locate(Path given) {
        Path p = given.toAbsolutePath().normalize();
        if (TrainingService.isCheckpoint(p)) {
            return p;
        }
        if (Files.isDirectory(p)) {
            // the newest checkpoint whose files verify: a damaged newer one is passed over
            return new CheckpointStore(p).newestUsable().map(CheckpointStore.Usable::folder)
                    .orElseThrow(() -> new MdmException(given
                    + " is neither a checkpoint (no state.json) nor a run folder with checkpoints/: "
                    + "pass a folder such as work/runs/<name>/checkpoints/step-00001000"));
        }
        throw new MdmException("checkpoint " + given + " does not exist");
    }

    /** The experiment as trained: the spec as written, with the sections it imported filled in. */
    static ExperimentSpec rebuildSpec(JsonNode record, Path checkpoint) {
        JsonNode source = record.get("spec");
        if (source == null || !source.isObject()) {
            throw new MdmException(checkpoint + "/" + CheckpointStore.EXPERIMENT
                    + " has no 'spec': not a checkpoint written by mdm");
        }
        ObjectNode spec = ((ObjectNode) source).deepCopy();
        spec.remove("import");
        if (record.has("model_section")) {
            spec.set("model", record.get("model_section"));
        }
        if (record.has("diffusion_section")) {
            spec.set("diffusion", record.get("diffusion_section"));
        }
        return SpecReader.parse(spec, checkpoint);
    }
}
