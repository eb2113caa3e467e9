package mdm.trainer.internal.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import mdm.api.MdmException;
import mdm.api.train.ComponentRef;
import mdm.api.train.DataSpec;
import mdm.api.train.ExperimentSpec;
import mdm.api.train.OptimizerSpec;
import mdm.api.train.SamplingSpec;
import mdm.api.train.StageSpec;
import mdm.api.train.TrainingSpec;
import mdm.core.config.Json;
import mdm.api.Options;
import mdm.core.config.Names;

/**
 * Reads an experiment spec (JSON or YAML) into an {@link ExperimentSpec}: unknown keys are errors
 * naming the nearest valid key, defaults are filled in, and an {@code import:} of an ml-mdm YAML
 * file supplies the model ({@code unet_config}) and diffusion settings that the spec does not set.
 */
public final class SpecReader {
    /** The spec field that picks the pipeline, and its values. */
    public static final String PIPELINE = "pipeline";
    public static final String PIPELINE_MDM = "mdm";
    public static final String PIPELINE_CASCADE = "cascade";
    public static final String PIPELINE_LATENT = "latent";
    /** An autoencoder trained alone, for latent specs to reference ({@code latent.autoencoder_checkpoint}). */
    public static final String PIPELINE_AUTOENCODER = "autoencoder";
    static final List<String> PIPELINES = List.of(PIPELINE_MDM, PIPELINE_CASCADE, PIPELINE_LATENT, PIPELINE_AUTOENCODER);
    /**
     * What an autoencoder spec may leave out, as it trains no denoiser: the backbone, schedule,
     * sampler and conditioner it does not use, and the model section.
     */
    private static final Map<String, String> AUTOENCODER_COMPONENTS = Map.of(
            "backbone", "unet", "schedule", "cosine", "sampler", "ddim", "conditioner", "class");

    private SpecReader() {
    }

    /** The pipeline a spec picks: mdm (nested or plain UNet, the default), cascade or latent. */
    public static String pipeline(ExperimentSpec spec) {
        return spec.source() == null ? PIPELINE_MDM : Json.tree(spec.source()).path(PIPELINE).asText(PIPELINE_MDM);
    }

    public static ExperimentSpec read(Path file) {
        JsonNode tree = Json.read(file);
        return parse(tree, file.toAbsolutePath().getParent());
    }

    /** @param baseDir folder that relative {@code import:} paths are resolved against */
    public static ExperimentSpec parse(JsonNode tree, Path baseDir) {
        if (tree == null || !tree.isObject()) {
            throw new MdmException("an experiment spec must be a mapping with components, model, stages, ...");
        }
        SpecFile f = Json.bind(tree, SpecFile.class, "spec");
        if (f.components() == null) {
            throw new MdmException("the spec has no 'components' section: name at least backbone, schedule, sampler, "
                    + "conditioner and dataset, e.g. components: {backbone: nested_unet, schedule: deepfloyd, ...}");
        }
        if (f.components().dataset() != null && f.data() != null) {
            throw new MdmException("the spec names a dataset and a 'data' section: 'data' is only for models without a"
                    + " dataset (imported for sampling); remove it");
        }
        JsonNode model = f.model();
        JsonNode diffusion = f.diffusion();
        if (f.importFile() != null) {
            MlMdmYaml imported = MlMdmYaml.read(baseDir.resolve(f.importFile()));
            model = model == null ? imported.unetConfig() : model;
            diffusion = merge(imported.diffusion(), diffusion);
        }
        String pipeline = f.pipeline() != null ? f.pipeline() : PIPELINE_MDM;
        boolean autoencoder = pipeline.equals(PIPELINE_AUTOENCODER);
        if (model == null && autoencoder) {
            model = Json.empty();
        }
        if (diffusion == null && autoencoder) {
            diffusion = Json.parse("{sampler_config: {schedule_type: COSINE}}"); // the stand-in schedule's, unused
        }
        if (model == null) {
            throw new MdmException("the spec has no 'model' section (the ml-mdm unet_config mapping) and no 'import' "
                    + "of an ml-mdm YAML file");
        }
        if (model.size() == 1 && model.has("unet_config")) {
            model = model.get("unet_config");
        }
        if (!PIPELINES.contains(pipeline)) {
            throw new MdmException("pipeline '" + pipeline + "' is unknown: " + Names.suggestion(pipeline, PIPELINES));
        }
        if (f.cascade() != null && !pipeline.equals(PIPELINE_CASCADE)) {
            throw new MdmException("the spec has a 'cascade' section but pipeline is '" + pipeline
                    + "': set pipeline: cascade, or remove the section");
        }
        if (pipeline.equals(PIPELINE_CASCADE) && (f.cascade() == null || !f.cascade().isObject())) {
            throw new MdmException("pipeline: cascade needs a 'cascade' section: base_resolution and super_resolution "
                    + "stages, e.g. cascade: {base_resolution: 16, super_resolution: [{resolution: 32, model: {...}}]}");
        }
        if (f.latent() != null && !pipeline.equals(PIPELINE_LATENT) && !autoencoder) {
            throw new MdmException("the spec has a 'latent' section but pipeline is '" + pipeline
                    + "': set pipeline: latent (or autoencoder), or remove the section");
        }
        if (autoencoder && (f.latent() == null || !f.latent().isObject() || !f.latent().has("autoencoder"))) {
            throw new MdmException("pipeline: autoencoder needs the autoencoder as latent.autoencoder, e.g. latent: "
                    + "{autoencoder: {factor: 4, latent_channels: 4, channels: [32, 64, 64]}}");
        }
        String name = f.name() != null ? f.name() : "experiment";
        if (!name.matches("[A-Za-z0-9._-]+")) {
            throw new MdmException("name '" + name + "' may contain only letters, digits, '.', '_' and '-'");
        }
        ExperimentSpec spec = new ExperimentSpec(
                name,
                f.seed() != null ? f.seed() : 0L,
                unusedByAutoencoder(f.components().backbone(), "backbone", autoencoder),
                unusedByAutoencoder(f.components().schedule(), "schedule", autoencoder),
                unusedByAutoencoder(f.components().sampler(), "sampler", autoencoder),
                unusedByAutoencoder(f.components().conditioner(), "conditioner", autoencoder),
                component(f.components().dataset(), "dataset", f.data() == null),
                component(f.components().evaluator(), "evaluator", false),
                Json.options(model),
                Json.options(diffusion),
                optimizer(f.optimizer()),
                training(f.training()),
                sampling(f.sampling()),
                stages(f.stages(), !pipeline.equals(PIPELINE_MDM)),
                data(f.data()),
                f.output() != null ? f.output() : "runs/" + name,
                Json.options(tree));
        return spec;
    }

    /** A component an autoencoder spec may leave out: its stand-in (never used to denoise). */
    private static ComponentRef unusedByAutoencoder(JsonNode node, String kind, boolean autoencoder) {
        if (autoencoder && (node == null || node.isNull())) {
            return new ComponentRef(AUTOENCODER_COMPONENTS.get(kind), Options.empty());
        }
        return component(node, kind, true);
    }

    private static ComponentRef component(JsonNode node, String kind, boolean required) {
        if (node == null || node.isNull()) {
            if (required) {
                throw new MdmException("components." + kind + " is missing: name the " + kind
                        + " to use (mdm:list shows the registered ones)");
            }
            return null;
        }
        if (node.isTextual()) {
            return new ComponentRef(node.asText(), Options.empty());
        }
        if (node.isObject() && node.hasNonNull("name") && node.get("name").isTextual()) {
            ObjectNode options = ((ObjectNode) node).deepCopy();
            options.remove("name");
            return new ComponentRef(node.get("name").asText(), Json.options(options));
        }
        throw new MdmException("components." + kind + " must be a name or a mapping with 'name' and options, e.g. "
                + kind + ": {name: ..., ...}");
    }

    private static DataSpec data(SpecFile.DataFile d) {
        if (d == null) {
            return null;
        }
        if (d.imageSize() == null) {
            throw new MdmException("data.image_size is required: the side of the generated images");
        }
        return new DataSpec(d.imageSize(), d.captions() == null || d.captions(), d.classes() == null ? 0 : d.classes(),
                d.frames() == null ? 1 : d.frames());
    }

    private static OptimizerSpec optimizer(SpecFile.OptimizerFile o) {
        SpecFile.OptimizerFile f = o != null ? o
                : new SpecFile.OptimizerFile(null, null, null, null, null, null, null, null, null, null, null, null);
        OptimizerSpec spec = new OptimizerSpec(
                or(f.lr(), 1e-3), or(f.warmupSteps(), 100L), or(f.lrSchedule(), "constant"), or(f.minLrRatio(), 0.1),
                or(f.beta1(), 0.9), or(f.beta2(), 0.999), or(f.eps(), 1e-8), or(f.weightDecay(), 0.0),
                or(f.gradientClipNorm(), 2.0), or(f.emaDecay(), 0.999), or(f.emaWarmup(), true),
                or(f.accumulationSteps(), 1));
        positive(spec.lr(), "optimizer.lr");
        finite(spec.lr(), "optimizer.lr");
        if (spec.accumulationSteps() < 1) {
            throw new MdmException("optimizer.accumulation_steps must be at least 1");
        }
        if (spec.emaDecay() < 0 || spec.emaDecay() >= 1) {
            throw new MdmException("optimizer.ema_decay must lie in [0, 1) (0 switches EMA off)");
        }
        if (!spec.lrSchedule().equals("constant") && !spec.lrSchedule().equals("cosine")) {
            throw new MdmException("optimizer.lr_schedule '" + spec.lrSchedule() + "' is unknown: use constant or cosine");
        }
        return spec;
    }

    private static TrainingSpec training(SpecFile.TrainingFile t) {
        SpecFile.TrainingFile f = t != null ? t : new SpecFile.TrainingFile(null, null, null, null, null, null, null, null);
        TrainingSpec spec = new TrainingSpec(or(f.batchSize(), 32), or(f.checkpointEvery(), 500L),
                or(f.sampleEvery(), 0L), or(f.logEvery(), 10L), or(f.keepCheckpoints(), 2), f.devices(),
                or(f.dataWorkers(), 2), or(f.maxSkippedSteps(), TrainingSpec.DEFAULT_MAX_SKIPPED_STEPS));
        positive(spec.batchSize(), "training.batch_size");
        positive(spec.maxSkippedSteps(), "training.max_skipped_steps");
        positive(spec.checkpointEvery(), "training.checkpoint_every");
        positive(spec.logEvery(), "training.log_every");
        positive(spec.keepCheckpoints(), "training.keep_checkpoints");
        positive(spec.dataWorkers(), "training.data_workers");
        return spec;
    }

    private static SamplingSpec sampling(SpecFile.SamplingFile s) {
        SpecFile.SamplingFile f = s != null ? s : new SpecFile.SamplingFile(null, null, null, null, null);
        SamplingSpec spec = new SamplingSpec(or(f.steps(), 50), or(f.guidance(), 1.0), or(f.count(), 16),
                or(f.ema(), true), Json.options(f.options()));
        if (!Double.isFinite(spec.guidance())) {
            throw new MdmException("sampling.guidance must be a finite number (1 = no guidance), got " + spec.guidance());
        }
        positive(spec.steps(), "sampling.steps");
        positive(spec.count(), "sampling.count");
        return spec;
    }

    /**
     * @param oneLevelEach each stage trains one separate network (cascade, latent): 'levels' may be
     *                     left out and is 1
     */
    private static List<StageSpec> stages(List<SpecFile.StageFile> files, boolean oneLevelEach) {
        if (files == null || files.isEmpty()) {
            throw new MdmException("the spec has no stages: add e.g. stages: [{levels: 1, steps: 1000}, "
                    + "{levels: 2, steps: 2000}] (lowest resolution first)");
        }
        List<StageSpec> stages = new ArrayList<>();
        int previousLevels = 0;
        for (int i = 0; i < files.size(); i++) {
            SpecFile.StageFile f = files.get(i);
            String where = "stages[" + i + "]";
            if (oneLevelEach && f.levels() == null) {
                f = new SpecFile.StageFile(f.name(), 1, f.steps(), f.freezeInnerSteps(), f.mixedRatio(), f.batchSize(), f.lr());
            }
            if (oneLevelEach && f.levels() != 1) {
                throw new MdmException(where + ".levels is " + f.levels() + " but each stage of this pipeline trains one"
                        + " network of one level: remove 'levels'");
            }
            if (f.levels() == null || f.steps() == null) {
                throw new MdmException(where + " needs 'levels' (innermost levels trained) and 'steps'");
            }
            if (f.levels() < previousLevels) {
                throw new MdmException(where + " trains " + f.levels() + " levels after a stage with " + previousLevels
                        + ": stages grow from the lowest resolution outwards");
            }
            positive(f.levels(), where + ".levels");
            positive(f.steps(), where + ".steps");
            if (f.lr() != null) {
                positive(f.lr(), where + ".lr");
                finite(f.lr(), where + ".lr");
            }
            stages.add(new StageSpec(f.name() != null ? f.name() : "stage" + (i + 1), f.levels(), f.steps(),
                    or(f.freezeInnerSteps(), 0L), f.mixedRatio(), or(f.batchSize(), 0), or(f.lr(), 0.0)));
            previousLevels = f.levels();
        }
        return stages;
    }

    /** {@code overrides} on top of {@code base}, key by key (nested mappings merged). */
    static JsonNode merge(JsonNode base, JsonNode overrides) {
        if (overrides == null) {
            return base;
        }
        if (base == null || !base.isObject() || !overrides.isObject()) {
            return overrides;
        }
        ObjectNode out = ((ObjectNode) base).deepCopy();
        for (Iterator<Map.Entry<String, JsonNode>> it = overrides.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            out.set(e.getKey(), merge(out.get(e.getKey()), e.getValue()));
        }
        return out;
    }

    private static <T> T or(T value, T otherwise) {
        return value != null ? value : otherwise;
    }

    /** Infinity passes {@link #positive} but trains nothing: a learning rate of it diverges at the first step. */
    private static void finite(double v, String key) {
        if (Double.isInfinite(v)) {
            throw new MdmException(key + " must be a finite number, got " + v);
        }
    }

    private static void positive(double v, String key) {
        if (!(v > 0)) {
            throw new MdmException(key + " must be positive, got " + v);
        }
    }
}
