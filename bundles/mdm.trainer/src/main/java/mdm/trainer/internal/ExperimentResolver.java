package mdm.trainer.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import mdm.api.Components;
import mdm.api.MdmException;
import mdm.api.conditioning.ConditionerFactory;
import mdm.api.data.DatasetInfo;
import mdm.api.data.DatasetProvider;
import mdm.api.diffusion.NoiseSchedule;
import mdm.api.diffusion.Sampler;
import mdm.api.eval.Evaluator;
import mdm.api.model.BackboneConfig;
import mdm.api.model.BackboneFactory;
import mdm.api.train.ExperimentSpec;
import mdm.api.train.StageSpec;
import mdm.diffusion.DiffusionSettings;
import mdm.core.config.Json;
import mdm.trainer.internal.spec.SpecReader;

/**
 * Turns a spec into an {@link Experiment}: every component found by name, every option checked by
 * its component, the model fitted to the data and the conditioner, each stage planned. Everything
 * that can be wrong is found here, before any training.
 */
final class ExperimentResolver {
    static final String UNET = "unet";
    static final String CASCADE = "cascade";
    /** Where a cascade's stage keeps the stages below it (the cascade backbone's key layout). */
    static final String CASCADE_LOWER = "lower.";
    static final String LATENT = "latent";
    /** Where latent diffusion's stage 1 keeps the autoencoder (the latent backbone's key layout). */
    static final String LATENT_AUTOENCODER = "autoencoder.";

    private ExperimentResolver() {
    }

    static Experiment resolve(ExperimentSpec spec, ComponentRegistry registry) {
        List<ComponentRegistry.Lease<?>> taken = new ArrayList<>();
        try {
            ComponentRegistry.Lease<DatasetProvider> dataset = spec.dataset() == null ? null
                    : take(taken, registry.acquire(DatasetProvider.class, Components.DATASET, spec.dataset().name()));
            DatasetInfo data = dataset != null ? dataset.service().describe(spec.dataset().options()) : declared(spec);
            var conditioner = take(taken, registry.acquire(ConditionerFactory.class, Components.CONDITIONER,
                    spec.conditioner().name()));
            int dim = conditioner.service().featureDim(spec.conditioner().options(), data);
            var schedule = take(taken, registry.acquire(NoiseSchedule.class, Components.SCHEDULE, spec.schedule().name()));
            var sampler = take(taken, registry.acquire(Sampler.class, Components.SAMPLER, spec.sampler().name()));
            ComponentRegistry.Lease<Evaluator> evaluator = spec.evaluator() == null ? null
                    : take(taken, registry.acquire(Evaluator.class, Components.EVALUATOR, spec.evaluator().name()));
            if (evaluator != null && !evaluator.service().supports(data.name())) {
                throw new MdmException("evaluator '" + spec.evaluator().name() + "' cannot judge samples of dataset '"
                        + data.name() + "': remove components.evaluator or pick a matching one");
            }

            int frames = data.frames();
            int tiles = (int) Math.round(Math.sqrt(frames));
            if (tiles * tiles != frames) {
                throw new MdmException("dataset '" + data.name() + "' gives " + frames
                        + "-frame clips; video models tile frames into a square mosaic, so use a square number (e.g. 16)");
            }
            int imageSize = data.imageSize() * tiles;
            ObjectNode model = fitConditioning(spec, dim);
            DiffusionSettings diffusion = DiffusionSettings.parse(spec.diffusion());
            checkSchedule(spec, diffusion);

            Map<String, ComponentRegistry.Lease<BackboneFactory>> backbones = new LinkedHashMap<>();
            if (SpecReader.pipeline(spec).equals(SpecReader.PIPELINE_CASCADE)) {
                List<StagePlan> stages = planCascade(spec, registry, taken, backbones, model, data, imageSize);
                return new Experiment(spec, dataset, data, conditioner, dim, schedule, sampler, evaluator, backbones,
                        diffusion, stages, imageSize, frames);
            }
            if (SpecReader.pipeline(spec).equals(SpecReader.PIPELINE_AUTOENCODER)) {
                List<StagePlan> stages = planAutoencoder(spec, registry, taken, backbones, data, imageSize);
                return new Experiment(spec, dataset, data, conditioner, dim, schedule, sampler, evaluator, backbones,
                        diffusion, stages, imageSize, frames);
            }
            if (SpecReader.pipeline(spec).equals(SpecReader.PIPELINE_LATENT)) {
                List<StagePlan> stages = planLatent(spec, registry, taken, backbones, model, data, imageSize);
                return new Experiment(spec, dataset, data, conditioner, dim, schedule, sampler, evaluator, backbones,
                        diffusion, stages, imageSize, frames);
            }
            var fullFactory = take(taken, registry.acquire(BackboneFactory.class, Components.BACKBONE,
                    spec.backbone().name()));
            backbones.put(spec.backbone().name(), fullFactory);
            BackboneConfig full = fullFactory.service().parseConfig(Json.options(model));
            if (imageSize % full.levelScales().get(0) != 0) {
                throw new MdmException("the images are " + imageSize + "² but the model's highest level is "
                        + full.levelScales().get(0) + " times its innermost: use a size divisible by "
                        + full.levelScales().get(0));
            }
            int innermost = imageSize / full.levelScales().get(0);
            int depth = ModelSections.depth(model);
            List<StagePlan> stages = new ArrayList<>();
            StagePlan previous = null;
            for (int i = 0; i < spec.stages().size(); i++) {
                StageSpec stage = spec.stages().get(i);
                ObjectNode sub = ModelSections.innermost(model, stage.levels());
                // a partial stage trains the standard network of its depth; the whole model uses the named backbone
                String name = stage.levels() == depth ? spec.backbone().name() : standardBackbone(stage.levels());
                ComponentRegistry.Lease<BackboneFactory> factory = backbones.get(name);
                if (factory == null) {
                    factory = take(taken, registry.acquire(BackboneFactory.class, Components.BACKBONE, name));
                    backbones.put(name, factory);
                }
                BackboneConfig config = stage.levels() == depth ? full : factory.service().parseConfig(Json.options(sub));
                if (config.conditioningFeatureDim() > 0 && config.conditioningFeatureDim() != dim) {
                    throw new MdmException("the model expects conditioning features of width "
                            + config.conditioningFeatureDim() + " but conditioner '" + spec.conditioner().name()
                            + "' gives " + dim + ": remove model.conditioning_feature_dim (it is set from the conditioner)");
                }
                if (frames > 1 && stage.levels() == depth && !config.temporal()) {
                    throw new MdmException("dataset '" + data.name() + "' gives " + frames
                            + "-frame clips but the model is not temporal: set temporal_mode: true in the model section");
                }
                int resolution = innermost * config.levelScales().get(0);
                checkFits(sub, config, resolution, i);
                DiffusionSettings stageDiffusion = DiffusionSettings.parse(Json.options(stageDiffusion(Json.tree(spec.diffusion()), stage,
                        config.levelScales().size(), depth)));
                int batch = stage.batchSize() > 0 ? stage.batchSize() : spec.training().batchSize();
                String inherited = previous == null ? null
                        : ModelSections.prefix(stage.levels(), previous.spec().levels());
                StagePlan plan = new StagePlan(i, stage, name, factory.service(), config, stageDiffusion, resolution,
                        batch, inherited);
                stages.add(plan);
                previous = plan;
            }
            if (stages.get(stages.size() - 1).spec().levels() != depth) {
                throw new MdmException("the last stage trains " + stages.get(stages.size() - 1).spec().levels()
                        + " levels but the model has " + depth + ": the last stage must train the whole model");
            }
            return new Experiment(spec, dataset, data, conditioner, dim, schedule, sampler, evaluator, backbones,
                    diffusion, stages, imageSize, frames);
        } catch (RuntimeException e) {
            taken.forEach(ComponentRegistry.Lease::release);
            throw e instanceof MdmException ? e : new MdmException(e.getMessage() == null ? e.toString() : e.getMessage(), e);
        }
    }

    /**
     * A cascade's stages: stage 0 trains the base (the spec's model, a UNet) at base_resolution, stage
     * k the k-th super-resolution network, carrying the ones below frozen under {@code lower.}.
     */
    private static List<StagePlan> planCascade(ExperimentSpec spec, ComponentRegistry registry,
                                               List<ComponentRegistry.Lease<?>> taken,
                                               Map<String, ComponentRegistry.Lease<BackboneFactory>> backbones,
                                               ObjectNode model, DatasetInfo data, int imageSize) {
        if (!spec.backbone().name().equals(UNET)) {
            throw new MdmException("the cascade's base is a plain UNet but components.backbone is '"
                    + spec.backbone().name() + "': set components.backbone: unet");
        }
        if (data.frames() > 1) {
            throw new MdmException("pipeline: cascade generates images, but dataset '" + data.name() + "' gives "
                    + data.frames() + "-frame clips: use pipeline: mdm for video");
        }
        JsonNode section = Json.tree(spec.source()).path(CASCADE);
        for (String reserved : new String[] {"base", "stage"}) {
            if (section.has(reserved)) {
                throw new MdmException("cascade." + reserved + " is not a spec field: the base is the spec's 'model' "
                        + "section and the stages are 'stages'; remove cascade." + reserved);
            }
        }
        backbones.put(UNET, take(taken, registry.acquire(BackboneFactory.class, Components.BACKBONE, UNET)));
        var factory = take(taken, registry.acquire(BackboneFactory.class, Components.BACKBONE, CASCADE));
        backbones.put(CASCADE, factory);
        ObjectNode node = ((ObjectNode) section).deepCopy();
        node.set("base", model);
        BackboneConfig whole = factory.service().parseConfig(Json.options(node));
        int networks = Json.tree(whole.toOptions()).path("super_resolution").size() + 1;
        JsonNode sr = Json.tree(whole.toOptions()).path("super_resolution");
        int top = sr.get(sr.size() - 1).path("resolution").asInt();
        if (top != imageSize) {
            throw new MdmException("the cascade's last super-resolution stage generates " + top + "² images but the "
                    + "dataset gives " + imageSize + "²: set cascade.super_resolution[" + (sr.size() - 1)
                    + "].resolution to " + imageSize + " or change the dataset's image size");
        }
        if (spec.stages().size() != networks) {
            throw new MdmException("the cascade has " + networks + " networks (the base and " + (networks - 1)
                    + " super-resolution stage(s)) but the spec has " + spec.stages().size()
                    + " stages: give one stage per network, the base first");
        }
        List<StagePlan> stages = new ArrayList<>();
        for (int i = 0; i < networks; i++) {
            StageSpec stage = spec.stages().get(i);
            node.put("stage", i);
            BackboneConfig config = factory.service().parseConfig(Json.options(node));
            int resolution = i == 0 ? Json.tree(whole.toOptions()).path("base_resolution").asInt() : sr.get(i - 1).path("resolution").asInt();
            JsonNode diffusionNode = stageDiffusion(Json.tree(spec.diffusion()), stage, 1, 1);
            JsonNode lossTarget = i == 0 ? null : sr.get(i - 1).get("loss_target_type");
            if (lossTarget != null && lossTarget.isTextual()) {
                // a super-resolution stage may train in another loss space than the base (e.g. v: Imagen Video)
                ObjectNode d = (ObjectNode) diffusionNode;
                JsonNode sc = d.get("sampler_config");
                ObjectNode samplerConfig = sc != null && sc.isObject() ? (ObjectNode) sc : d.putObject("sampler_config");
                samplerConfig.put("loss_target_type", lossTarget.asText());
            }
            DiffusionSettings stageDiffusion;
            try {
                stageDiffusion = DiffusionSettings.parse(Json.options(diffusionNode));
            } catch (MdmException e) {
                throw new MdmException("cascade.super_resolution[" + (i - 1) + "].loss_target_type: " + e.getMessage(), e);
            }
            int batch = stage.batchSize() > 0 ? stage.batchSize() : spec.training().batchSize();
            stages.add(new StagePlan(i, stage, CASCADE, factory.service(), config, stageDiffusion, resolution, batch,
                    i == 0 ? null : CASCADE_LOWER));
        }
        return stages;
    }

    /**
     * Latent diffusion's stages: stage 0 trains the autoencoder on the images, stage 1 the UNet (the
     * spec's model) on its scaled latents, with the autoencoder frozen under {@code autoencoder.}.
     */
    private static List<StagePlan> planLatent(ExperimentSpec spec, ComponentRegistry registry,
                                              List<ComponentRegistry.Lease<?>> taken,
                                              Map<String, ComponentRegistry.Lease<BackboneFactory>> backbones,
                                              ObjectNode model, DatasetInfo data, int imageSize) {
        if (!spec.backbone().name().equals(UNET)) {
            throw new MdmException("latent diffusion's denoiser is a plain UNet but components.backbone is '"
                    + spec.backbone().name() + "': set components.backbone: unet");
        }
        if (data.frames() > 1) {
            throw new MdmException("pipeline: latent generates images, but dataset '" + data.name() + "' gives "
                    + data.frames() + "-frame clips: use pipeline: mdm for video");
        }
        JsonNode section = Json.tree(spec.source()).path(LATENT);
        if (!section.isObject() || !section.has("autoencoder")) {
            throw new MdmException("pipeline: latent needs a 'latent' section with its autoencoder, e.g. latent: "
                    + "{autoencoder: {factor: 4, latent_channels: 4, channels: [32, 64, 64]}}, or one trained alone: "
                    + "latent: {" + AutoencoderReference.FIELD + ": runs/<autoencoder run>}");
        }
        section.fieldNames().forEachRemaining(k -> {
            if (!k.equals("autoencoder") && !k.equals(AutoencoderReference.FIELD)) {
                throw new MdmException("unknown key '" + k + "' in latent: the section has only 'autoencoder' and '"
                        + AutoencoderReference.FIELD + "' (the denoiser is the spec's 'model')");
            }
        });
        // an autoencoder trained alone (its checkpoint resolved and checked by the trainer): only the diffusion trains here
        Path pretrained = section.hasNonNull(AutoencoderReference.FIELD)
                ? Path.of(section.get(AutoencoderReference.FIELD).asText()) : null;
        int stageCount = pretrained == null ? 2 : 1;
        if (spec.stages().size() != stageCount) {
            throw new MdmException(pretrained == null
                    ? "latent diffusion has 2 stages (the autoencoder, then the diffusion in its latent space) but the "
                            + "spec has " + spec.stages().size() + ": give both, the autoencoder first"
                    : "latent." + AutoencoderReference.FIELD + " gives the autoencoder, so the spec trains only the "
                            + "diffusion, but it has " + spec.stages().size() + " stages: give one stage");
        }
        backbones.put(UNET, take(taken, registry.acquire(BackboneFactory.class, Components.BACKBONE, UNET)));
        var factory = take(taken, registry.acquire(BackboneFactory.class, Components.BACKBONE, LATENT));
        backbones.put(LATENT, factory);
        ObjectNode node = mdm.core.config.Json.empty();
        node.put("image_size", imageSize);
        node.set("autoencoder", section.get("autoencoder"));
        node.set("unet", model);
        List<StagePlan> stages = new ArrayList<>();
        for (int i = 0; i < stageCount; i++) {
            StageSpec stage = spec.stages().get(i);
            int latentStage = pretrained == null ? i : 1;
            node.put("stage", latentStage);
            BackboneConfig config = factory.service().parseConfig(Json.options(node));
            int factor = Json.tree(config.toOptions()).path("autoencoder").path("factor").asInt();
            int resolution = latentStage == 0 ? imageSize : imageSize / factor;
            DiffusionSettings stageDiffusion = DiffusionSettings.parse(Json.options(stageDiffusion(Json.tree(spec.diffusion()), stage, 1, 1)));
            int batch = stage.batchSize() > 0 ? stage.batchSize() : spec.training().batchSize();
            stages.add(new StagePlan(i, stage, LATENT, factory.service(), config, stageDiffusion, resolution, batch,
                    latentStage == 0 ? null : LATENT_AUTOENCODER, pretrained));
        }
        return stages;
    }

    /**
     * An autoencoder trained alone (pipeline: autoencoder): latent diffusion's stage 0 as the only
     * stage, for latent specs to reference by {@code latent.autoencoder_checkpoint}.
     */
    private static List<StagePlan> planAutoencoder(ExperimentSpec spec, ComponentRegistry registry,
                                                   List<ComponentRegistry.Lease<?>> taken,
                                                   Map<String, ComponentRegistry.Lease<BackboneFactory>> backbones,
                                                   DatasetInfo data, int imageSize) {
        if (data.frames() > 1) {
            throw new MdmException("pipeline: autoencoder encodes images, but dataset '" + data.name() + "' gives "
                    + data.frames() + "-frame clips");
        }
        JsonNode section = Json.tree(spec.source()).path(LATENT);
        section.fieldNames().forEachRemaining(k -> {
            if (!k.equals("autoencoder")) {
                throw new MdmException("unknown key '" + k + "' in latent: an autoencoder spec has only "
                        + "latent.autoencoder");
            }
        });
        if (spec.stages().size() != 1) {
            throw new MdmException("pipeline: autoencoder trains one network, so one stage, but the spec has "
                    + spec.stages().size() + ": give one stage");
        }
        var factory = take(taken, registry.acquire(BackboneFactory.class, Components.BACKBONE, LATENT));
        backbones.put(LATENT, factory);
        ObjectNode node = mdm.core.config.Json.empty();
        node.put("stage", 0);
        node.put("image_size", imageSize);
        node.set("autoencoder", section.get("autoencoder"));
        BackboneConfig config = factory.service().parseConfig(Json.options(node));
        StageSpec stage = spec.stages().get(0);
        DiffusionSettings diffusion = DiffusionSettings.parse(Json.options(stageDiffusion(Json.tree(spec.diffusion()), stage, 1, 1)));
        int batch = stage.batchSize() > 0 ? stage.batchSize() : spec.training().batchSize();
        return List.of(new StagePlan(0, stage, LATENT, factory.service(), config, diffusion, imageSize, batch, null));
    }

    /** ml-mdm's name of the network with {@code levels} nested levels: unet, nested_unet, nested2_unet, … */
    static String standardBackbone(int levels) {
        return levels == 1 ? UNET : levels == 2 ? "nested_unet" : "nested" + (levels - 1) + "_unet";
    }

    /** The data a dataset-less experiment declares: numbered classes, captions or not. */
    private static DatasetInfo declared(ExperimentSpec spec) {
        var d = spec.data();
        List<String> classes = new ArrayList<>();
        for (int i = 0; i < d.classes(); i++) {
            classes.add(Integer.toString(i));
        }
        return new DatasetInfo("none", d.imageSize(), 3, d.frames(), classes, d.captions(), 0);
    }

    private static <T> ComponentRegistry.Lease<T> take(List<ComponentRegistry.Lease<?>> taken,
                                                       ComponentRegistry.Lease<T> lease) {
        taken.add(lease);
        return lease;
    }

    /** Sets conditioning_feature_dim from the conditioner, as ml-mdm's CLI does from the text encoder. */
    private static ObjectNode fitConditioning(ExperimentSpec spec, int dim) {
        ObjectNode model = Json.tree(spec.model());
        JsonNode given = model.get("conditioning_feature_dim");
        if (given != null && given.asInt(-1) > 0 && given.asInt() != dim) {
            throw new MdmException("model.conditioning_feature_dim is " + given.asInt() + " but conditioner '"
                    + spec.conditioner().name() + "' gives features of width " + dim
                    + ": remove the field (it is set from the conditioner) or change the conditioner's options");
        }
        model.put("conditioning_feature_dim", dim);
        return model;
    }

    private static void checkSchedule(ExperimentSpec spec, DiffusionSettings diffusion) {
        JsonNode sc = Json.tree(spec.diffusion()).path("sampler_config").path("schedule_type");
        if (!sc.isMissingNode() && !diffusion.schedule().equals(spec.schedule().name())) {
            throw new MdmException("diffusion.sampler_config.schedule_type says '" + diffusion.schedule()
                    + "' but components.schedule names '" + spec.schedule().name() + "': keep one of them");
        }
    }

    /** Each network's down path halves the resolution once per level after the first. */
    private static void checkFits(JsonNode sub, BackboneConfig config, int resolution, int stage) {
        if (config.temporal()) {
            return; // temporal levels cut the mosaic into blocks; the backbone checks its own contract
        }
        List<Integer> levels = ModelSections.levelsPerNetwork(sub);
        List<Integer> scales = config.levelScales();
        int innermost = resolution / scales.get(0);
        if (innermost * scales.get(0) != resolution) {
            throw new MdmException("stage " + (stage + 1) + " works at " + resolution + "² but the model's levels are "
                    + scales + " times its innermost resolution: use an image size divisible by " + scales.get(0));
        }
        for (int i = 0; i < levels.size() && i < scales.size(); i++) {
            int side = innermost * scales.get(i);
            int n = levels.get(i);
            if (n > 0 && side % (1 << (n - 1)) != 0) {
                throw new MdmException("nested network " + i + " of stage " + (stage + 1) + " runs at " + side
                        + "² and halves it " + (n - 1) + " times: the side must be divisible by " + (1 << (n - 1))
                        + ". Change the dataset size or resolution_channels.");
            }
        }
    }

    /**
     * The diffusion settings of a stage that trains {@code levels} of {@code depth} levels: per-level
     * lists keep their innermost entries; the stage's mixed ratio replaces the global one.
     */
    static JsonNode stageDiffusion(JsonNode diffusion, StageSpec stage, int levels, int depth) {
        ObjectNode d = diffusion.isObject() ? ((ObjectNode) diffusion).deepCopy() : mdm.core.config.Json.empty();
        if (levels < depth) {
            innermostParts(d, "multi_res_weights", levels);
            innermostParts(d, "mixed_ratio", levels);
            if (levels == 1) {
                d.remove("multi_res_weights");
                d.remove("mixed_ratio");
            }
        }
        if (stage.mixedRatio() != null) {
            d.put("mixed_ratio", stage.mixedRatio());
        }
        return d;
    }

    private static void innermostParts(ObjectNode d, String key, int levels) {
        JsonNode v = d.get(key);
        if (v == null || v.isNull()) {
            return;
        }
        List<String> parts = Arrays.asList(v.asText().split(":"));
        if (parts.size() > levels) {
            d.put(key, parts.subList(parts.size() - levels, parts.size()).stream().collect(Collectors.joining(":")));
        }
    }
}
