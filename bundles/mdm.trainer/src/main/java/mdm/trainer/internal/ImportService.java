package mdm.trainer.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import mdm.api.DjlRuntime;
import mdm.api.MdmException;
import mdm.api.model.Backbone;
import mdm.api.train.ExperimentSpec;
import mdm.api.train.ImportRequest;
import mdm.api.train.ModelImporter;
import mdm.core.config.Json;
import mdm.core.io.MlMdmCheckpoint;
import mdm.core.io.StateDictFiles;
import mdm.core.io.StateDicts;
import mdm.core.io.TensorFileFormat;
import mdm.core.runtime.GradMode;
import mdm.trainer.internal.spec.MlMdmYaml;
import mdm.trainer.internal.spec.SpecReader;

/**
 * Makes a checkpoint from an ml-mdm model: an experiment built from the YAML's model and diffusion
 * sections (no dataset: it is sampled from prompts or labels), and the weights loaded strictly
 * into the backbone that experiment describes, so that any missing or extra key is reported.
 */
public final class ImportService implements ModelImporter {
    /** The key of {@link ImportRequest#extra()} naming an EMA weights file. */
    public static final String EMA = "ema";
    /** The keys of {@link ImportRequest#extra()} and of the YAML's {@link MlMdmYaml#OURS} section about the data. */
    static final String CLASSES = "classes";
    static final String CONDITIONER = "conditioner";
    static final String DATA = "data";
    static final String SAMPLING = "sampling";

    private final ComponentRegistry registry;
    private final DjlRuntime runtime;

    public ImportService(ComponentRegistry registry, DjlRuntime runtime) {
        this.registry = registry;
        this.runtime = runtime;
    }

    @Override
    public Path importModel(ImportRequest request) {
        GradMode.disable();
        Path target = request.checkpoint().toAbsolutePath().normalize();
        if (Files.exists(target)) {
            throw new MdmException(target + " already exists: choose a new checkpoint folder");
        }
        if (!Files.isRegularFile(request.weights())) {
            throw new MdmException("weights file not found: " + request.weights().toAbsolutePath());
        }
        MlMdmYaml yaml = MlMdmYaml.read(request.yaml());
        JsonNode root = Json.readLastWins(request.yaml());
        ObjectNode spec = specFor(request, yaml, root);
        ExperimentSpec parsed = SpecReader.parse(spec, target.getParent());
        try (Experiment exp = ExperimentResolver.resolve(parsed, registry); NDManager m = runtime.newManager()) {
            StagePlan plan = exp.finalStage();
            Backbone backbone = plan.factory().create(plan.config(), m, 0);
            Map<String, NDArray> weights = readWeights(request.weights(), m);
            try {
                StateDicts.loadStrict(weights, backbone.parameters());
            } catch (MdmException e) {
                throw new MdmException("the weights in " + request.weights() + " do not fit the model of "
                        + request.yaml() + ": " + e.getMessage(), e);
            }
            Map<String, NDArray> ema = Map.of();
            String emaFile = request.extra() == null ? null : request.extra().getString(EMA, null);
            if (emaFile != null) {
                Path file = Path.of(emaFile);
                if (!Files.isRegularFile(file)) {
                    throw new MdmException("EMA weights file not found: " + file.toAbsolutePath());
                }
                // the EMA goes through a second network of the same model, so it is checked as strictly
                Backbone emaNet = plan.factory().create(plan.config(), m, 0);
                try {
                    StateDicts.loadStrict(readWeights(file, m), emaNet.parameters());
                } catch (MdmException e) {
                    throw new MdmException("the EMA weights in " + file + " do not fit the model of "
                            + request.yaml() + ": " + e.getMessage(), e);
                }
                ema = emaNet.parameters();
            }
            ObjectNode record = Json.empty();
            record.set("spec", spec);
            record.set("model_section", Json.tree(parsed.model()));
            record.set("diffusion_section", Json.tree(parsed.diffusion()));
            record.put("stage", 0);
            record.put("backbone", plan.backboneName());
            record.set("model", Json.tree(plan.config().toOptions()));
            record.put("resolution", plan.resolution());
            ObjectNode origins = record.putObject("components");
            exp.origins().forEach(origins::put);
            record.put("imported_from", request.weights().toAbsolutePath().toString());
            return new CheckpointStore(target).writeTo(target, new CheckpointStore.Contents(record,
                    CheckpointState.forImport(),
                    backbone.parameters(), ema, Map.of(), Map.of(), Map.of()));
        }
    }

    private static Map<String, NDArray> readWeights(Path file, NDManager m) {
        if (TensorFileFormat.of(file) == TensorFileFormat.TORCH_ZIP) {
            MlMdmCheckpoint ckpt = StateDictFiles.readMlMdmCheckpoint(file, m);
            return ckpt.stateDict();
        }
        return StateDictFiles.read(file, m);
    }

    /** A sampling-only experiment for the YAML's model. */
    private static ObjectNode specFor(ImportRequest request, MlMdmYaml yaml, JsonNode root) {
        ObjectNode spec = Json.empty();
        String name = request.yaml().getFileName().toString().replaceAll("\\.ya?ml$", "")
                .replaceAll("[^A-Za-z0-9._-]", "_");
        spec.put("name", name);
        ObjectNode c = spec.putObject("components");
        String backbone = request.backbone() != null ? request.backbone()
                : yaml.modelName() != null ? yaml.modelName()
                : ExperimentResolver.standardBackbone(ModelSections.depth(yaml.unetConfig()));
        c.put("backbone", backbone);
        String schedule = yaml.diffusion().path(MlMdmYaml.SAMPLER_CONFIG).path("schedule_type").asText("DDPM");
        c.put("schedule", schedule.toLowerCase(Locale.ROOT));
        c.put("sampler", "ddim");
        ObjectNode conditioner = Json.empty();
        JsonNode ours = yaml.ours() == null ? Json.empty() : yaml.ours();
        if (request.conditioner() != null) {
            conditioner.put("name", request.conditioner().name());
            conditioner.setAll((ObjectNode) Json.tree(request.conditioner().options()));
        } else if (ours.path(CONDITIONER).isObject() && ours.path(CONDITIONER).has("name")) {
            // an mdm:export names the conditioner the model was trained with
            conditioner.setAll(((ObjectNode) ours.get(CONDITIONER)).deepCopy());
        } else {
            conditioner.put("name", "t5");
        }
        c.set("conditioner", conditioner);
        spec.set("model", yaml.unetConfig());
        spec.set("diffusion", yaml.diffusion());
        int depth = ModelSections.depth(yaml.unetConfig());
        spec.putArray("stages").addObject().put("levels", depth).put("steps", 1);
        Integer size = request.imageSize();
        JsonNode reader = root.path(MlMdmYaml.READER_CONFIG);
        if (size == null && reader.has(MlMdmYaml.IMAGE_SIZE) && reader.get(MlMdmYaml.IMAGE_SIZE).asInt() > 0) {
            size = reader.get(MlMdmYaml.IMAGE_SIZE).asInt();
        }
        if (size == null || size < 1) {
            throw new MdmException(request.yaml() + " has no " + MlMdmYaml.READER_CONFIG + "." + MlMdmYaml.IMAGE_SIZE
                    + ": give the image size with --size");
        }
        ObjectNode data = spec.putObject("data");
        data.put("image_size", size);
        data.put("captions", !"class".equals(conditioner.path("name").asText()));
        if (request.extra() != null && request.extra().has(CLASSES)) {
            data.put(CLASSES, request.extra().getInt(CLASSES, 0));
        } else if (ours.path(DATA).path(CLASSES).asInt(0) > 0) {
            data.put(CLASSES, ours.path(DATA).get(CLASSES).asInt());
        }
        ObjectNode sampling = spec.putObject("sampling");
        sampling.put("steps", 50);
        sampling.put("guidance", 7.5);
        sampling.put("ema", false);
        if (ours.path(SAMPLING).isObject()) {
            sampling.setAll(((ObjectNode) ours.get(SAMPLING)).deepCopy());
        }
        return spec;
    }
}
