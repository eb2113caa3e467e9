package mdm.trainer.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import mdm.api.DjlRuntime;
import mdm.api.MdmException;
import mdm.api.model.Backbone;
import mdm.api.train.ExperimentSpec;
import mdm.api.train.ExportRequest;
import mdm.api.train.ExportResult;
import mdm.api.train.ModelExporter;
import mdm.core.config.Json;
import mdm.core.io.AtomicFiles;
import mdm.core.io.Safetensors;
import mdm.core.io.StateDicts;
import mdm.core.io.TorchSave;
import mdm.core.runtime.GradMode;
import mdm.trainer.internal.spec.MlMdmYaml;
import mdm.trainer.internal.spec.SpecReader;

/**
 * Writes a checkpoint as apple/ml-mdm's trainer leaves its output folder, so that training goes on under
 * {@code torchrun} ({@code --config_path config.yaml --pretrained-vision-file vis_model_noema_N.pth}) and
 * {@code mdm:import} brings the result back: {@code config.yaml} ({@code model}, {@code unet_config},
 * {@code diffusion_config} in ml-mdm's field names, see {@link MlMdmYaml}), {@code vis_model_noema_N.pth}
 * (the model) and {@code vis_model_N.pth} (the EMA), both {@code torch.save} files like ml-mdm's
 * {@code UNet.save} / {@code ModelEma.save} write, and {@code export.json} (provenance, checksums, what did
 * not carry over). The folder appears whole or not at all.
 */
public final class ExportService implements ModelExporter {
    public static final String FORMAT = "ml-mdm";
    static final String CONFIG = "config.yaml";
    static final String MANIFEST = "export.json";

    private final ComponentRegistry registry;
    private final DjlRuntime runtime;

    public ExportService(ComponentRegistry registry, DjlRuntime runtime) {
        this.registry = registry;
        this.runtime = runtime;
    }

    /** ml-mdm's file names: {@code vis_model_NNNNNN.pth} is the EMA, {@code vis_model_noema_NNNNNN.pth} the model. */
    static String emaFile(long step) {
        return String.format("vis_model_%06d.pth", step);
    }

    static String modelFile(long step) {
        return String.format("vis_model_noema_%06d.pth", step);
    }

    @Override
    public List<String> formats() {
        return List.of(FORMAT);
    }

    @Override
    public ExportResult exportModel(ExportRequest request) {
        String format = request.format() == null || request.format().isBlank() ? FORMAT : request.format();
        if (!format.equals(FORMAT)) {
            throw new MdmException("unknown export format '" + format + "': the formats are " + String.join(", ",
                    formats()));
        }
        Path out = request.output().toAbsolutePath().normalize();
        requireEmptyOrAbsent(out);
        Path given = request.checkpoint();
        if (Files.isRegularFile(given)) {
            throw new MdmException(given + " is a file, not a checkpoint: pass a checkpoint folder "
                    + "(work/runs/<name>/checkpoints/step-N, with state.json) or a run folder");
        }
        GradMode.disable();
        Path checkpoint = GenerationService.locate(given);
        if (!Files.isRegularFile(checkpoint.resolve(CheckpointStore.EXPERIMENT))) {
            throw new MdmException(checkpoint + " has no " + CheckpointStore.EXPERIMENT + ": not a checkpoint "
                    + "written by mdm");
        }
        JsonNode record = Json.read(checkpoint.resolve(CheckpointStore.EXPERIMENT));
        ExperimentSpec spec = GenerationService.rebuildSpec(record, checkpoint);
        String pipeline = SpecReader.pipeline(spec);
        if (!pipeline.equals(SpecReader.PIPELINE_MDM)) {
            throw new MdmException("checkpoint " + checkpoint + " is a '" + pipeline + "' pipeline ("
                    + (pipeline.equals(SpecReader.PIPELINE_CASCADE) ? "a base UNet and super-resolution UNets"
                    : "an autoencoder and a UNet on its latents") + "), which ml-mdm cannot represent: its trainer "
                    + "builds one UNet or NestedUNet. Only pipeline: mdm checkpoints can be exported");
        }
        CheckpointState state = CheckpointState.read(checkpoint.resolve(CheckpointStore.STATE));
        CheckpointStore.verify(checkpoint, state, null);
        try (Experiment exp = ExperimentResolver.resolve(spec, registry); NDManager m = runtime.newManager()) {
            int stageIndex = record.path("stage").asInt(exp.stages.size() - 1);
            StagePlan plan = exp.stages.get(Math.min(stageIndex, exp.stages.size() - 1));
            String model = plan.backboneName();
            if (!MlMdmYaml.MODELS.contains(model)) {
                throw new MdmException("checkpoint " + checkpoint + " has backbone '" + model + "', which is not one of "
                        + "ml-mdm's models (" + String.join(", ", MlMdmYaml.MODELS) + "): it cannot be exported");
            }
            boolean nested = !model.equals("unet");
            ObjectNode ours = Json.empty();
            ObjectNode config = config(spec, exp.data, plan, model, nested, ours);
            List<String> notCarried = notCarried(checkpoint, spec);
            long step = state.globalStep();
            Map<String, NDArray> weights = weights(checkpoint, CheckpointStore.MODEL, plan, m);
            boolean hasEma = Files.isRegularFile(checkpoint.resolve(CheckpointStore.EMA));
            Map<String, NDArray> ema = hasEma ? weights(checkpoint, CheckpointStore.EMA, plan, m) : weights;
            if (!hasEma) {
                notCarried.add("an EMA: the checkpoint has none (an imported model, or ema_decay 0), so "
                        + emaFile(step) + " holds the model's weights");
            }
            Map<String, Object> values = values(checkpoint, step);
            ours.put("exported_from", checkpoint.toString());
            ours.put("step", step);
            ours.put("stage", plan.index());
            ours.put("backbone", model);
            ours.putPOJO("not_carried", notCarried);
            config.set(MlMdmYaml.OURS, ours);
            return write(out, checkpoint, step, config, weights, ema, values, notCarried);
        }
    }

    /** The ml-mdm YAML: the model, the trainer's settings in its argument names, and ours it has no field for. */
    private static ObjectNode config(ExperimentSpec spec, mdm.api.data.DatasetInfo info, StagePlan plan,
                                     String model, boolean nested, ObjectNode ours) {
        ObjectNode c = Json.empty();
        c.put("name", spec.name());
        c.put(MlMdmYaml.MODEL, model);
        c.put(MlMdmYaml.VISION_MODEL, model);
        c.set(MlMdmYaml.UNET_CONFIG, MlMdmYaml.unetConfig(Json.tree(plan.config().toOptions()),
                MlMdmYaml.UNET_CONFIG));
        ObjectNode extras = ours.putObject(MlMdmYaml.DIFFUSION_CONFIG);
        c.set(MlMdmYaml.DIFFUSION_CONFIG, MlMdmYaml.diffusionConfig(Json.tree(plan.diffusion().toOptions()), nested,
                extras));
        if (extras.isEmpty()) {
            ours.remove(MlMdmYaml.DIFFUSION_CONFIG);
        }
        ObjectNode reader = c.putObject(MlMdmYaml.READER_CONFIG);
        reader.put(MlMdmYaml.IMAGE_SIZE, plan.resolution());
        reader.put("smaller_side_size", plan.resolution());
        reader.put("random_crop", false);
        // ml-mdm's trainer arguments (clis/train_parallel.py) where ours have a counterpart
        var o = spec.optimizer();
        c.put("batch_size", plan.batchSize());
        c.put("lr", o.lr());
        c.put("warmup_steps", o.warmupSteps());
        c.put("use_adamw", true);
        c.put("gradient_clip_norm", o.gradientClipNorm());
        c.put("num_gradient_accumulations", o.accumulationSteps());
        c.put("seed", spec.seed());
        boolean categorical = "class".equals(spec.conditioner().name());
        c.put("categorical_conditioning", categorical ? 1 : 0);
        ObjectNode conditioner = ours.putObject(ImportService.CONDITIONER);
        conditioner.put("name", spec.conditioner().name());
        conditioner.setAll(Json.tree(spec.conditioner().options()));
        // what the model was trained on: its dataset's, or the spec's data section for a model without one
        ObjectNode data = ours.putObject(ImportService.DATA);
        data.put("image_size", info.imageSize());
        data.put("captions", info.hasCaptions());
        data.put(ImportService.CLASSES, info.numClasses());
        if (spec.dataset() != null) {
            data.put("dataset", spec.dataset().name());
        }
        JsonNode sampling = spec.source() == null ? null : Json.tree(spec.source()).get("sampling");
        if (sampling != null && sampling.isObject()) {
            ours.set(ImportService.SAMPLING, sampling.deepCopy());
        }
        ours.set("optimizer", Json.mapper().valueToTree(o));
        return c;
    }

    private static List<String> notCarried(Path checkpoint, ExperimentSpec spec) {
        List<String> out = new ArrayList<>();
        if (Files.isRegularFile(checkpoint.resolve(CheckpointStore.OPTIMIZER))) {
            out.add("the optimiser state (AdamW moments, " + CheckpointStore.OPTIMIZER + "): ml-mdm's trainer "
                    + "starts a fresh optimiser, and its learning-rate warm-up starts again");
        }
        out.add("the data position and random-generator states (" + CheckpointStore.STATE + "): ml-mdm reads its "
                + "own data set from the start");
        out.add("a separate EMA on resume: ml-mdm's --pretrained-vision-file loads one file into both its model "
                + "and its EMA (pass vis_model_noema_N.pth to go on from the model, vis_model_N.pth from the EMA)");
        if (Files.isRegularFile(checkpoint.resolve(CheckpointStore.CONDITIONER))) {
            out.add("the weights of conditioner '" + spec.conditioner().name() + "' (" + CheckpointStore.CONDITIONER
                    + "): ml-mdm's conditioning is a frozen T5 or a one-hot class");
        }
        if ("class".equals(spec.conditioner().name())) {
            out.add("class conditioning at ml-mdm's trainer: it has the one-hot form (categorical_conditioning: 1) "
                    + "but its language-model factory refuses it (\"Not fixed yet\" at commit de8cde2); the model "
                    + "itself loads and runs");
        }
        return out;
    }

    /** A weights file of the checkpoint, loaded strictly into the stage's network: ml-mdm's keys, in its order. */
    private static Map<String, NDArray> weights(Path checkpoint, String file, StagePlan plan, NDManager m) {
        Backbone net = plan.factory().create(plan.config(), m, 0);
        try {
            StateDicts.loadStrict(Safetensors.read(checkpoint.resolve(file), m), net.parameters());
        } catch (MdmException e) {
            throw new MdmException(file + " of " + checkpoint + " does not fit the model its experiment describes ("
                    + plan.backboneName() + "): " + e.getMessage(), e);
        }
        return net.parameters();
    }

    /**
     * The plain entries ml-mdm's trainer writes beside the state dict and reads on resume: the step as
     * {@code batch_num}, and its loss averages started from the run's last logged loss as ml-mdm starts them
     * at its first batch (average = loss, variance = loss²).
     */
    private static Map<String, Object> values(Path checkpoint, long step) {
        double loss = lastLoss(checkpoint, step);
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("batch_num", step);
        v.put("loss", loss);
        v.put("best_avg_loss", loss);
        v.put("exp_avg_loss", loss);
        v.put("exp_avg_loss_var", loss * loss);
        return v;
    }

    /** The last loss logged in the run's metrics.jsonl at or before {@code step}; 0 when there is none. */
    private static double lastLoss(Path checkpoint, long step) {
        Path run = checkpoint.getParent() == null ? null : checkpoint.getParent().getParent();
        Path metrics = run == null ? null : run.resolve("metrics.jsonl");
        if (metrics == null || !Files.isRegularFile(metrics)) {
            return 0;
        }
        double loss = 0;
        try (BufferedReader in = Files.newBufferedReader(metrics)) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                JsonNode n;
                try {
                    n = Json.parse(line);
                } catch (RuntimeException e) {
                    continue; // a line cut by a crash
                }
                if (n != null && n.has("loss") && n.path("step").asLong(Long.MAX_VALUE) <= step
                        && Double.isFinite(n.get("loss").asDouble(Double.NaN))) {
                    loss = n.get("loss").asDouble();
                }
            }
        } catch (IOException e) {
            return 0;
        }
        return loss;
    }

    private static void requireEmptyOrAbsent(Path out) {
        if (Files.isRegularFile(out)) {
            throw new MdmException(out + " is a file: give a new folder to export into");
        }
        if (Files.isDirectory(out)) {
            try (Stream<Path> s = Files.list(out)) {
                if (s.findAny().isPresent()) {
                    throw new MdmException(out + " exists and is not empty: give a new (or empty) folder to export "
                            + "into; nothing was written");
                }
            } catch (IOException e) {
                throw new MdmException("cannot read " + out + ": " + AtomicFiles.describe(e), e);
            }
        }
    }

    /** Writes everything into a hidden sibling, then renames it: the folder appears whole or not at all. */
    private static ExportResult write(Path out, Path checkpoint, long step, ObjectNode config,
                                      Map<String, NDArray> model, Map<String, NDArray> ema, Map<String, Object> values,
                                      List<String> notCarried) {
        Path parent = out.getParent();
        Path tmp = parent.resolve(AtomicFiles.TEMP_PREFIX + out.getFileName() + AtomicFiles.TEMP_MARK
                + ProcessHandle.current().pid() + "-" + System.nanoTime());
        List<String> files = List.of(CONFIG, modelFile(step), emaFile(step), MANIFEST);
        try {
            Files.createDirectories(tmp);
            AtomicFiles.writeString(tmp.resolve(CONFIG), "# ml-mdm model config written by mdm:export from "
                    + checkpoint + " (step " + step + ")\n" + Json.yaml(config));
            TorchSave.write(tmp.resolve(modelFile(step)), model, values);
            TorchSave.write(tmp.resolve(emaFile(step)), ema, values);
            ObjectNode manifest = Json.empty();
            manifest.put("format", FORMAT);
            manifest.put("checkpoint", checkpoint.toString());
            manifest.put("step", step);
            manifest.put("model", modelFile(step));
            manifest.put("ema", emaFile(step));
            ObjectNode sums = manifest.putObject("sha256");
            for (String f : files.subList(0, 3)) {
                sums.put(f, CheckpointStore.sha256(tmp.resolve(f)));
            }
            manifest.putPOJO("not_carried", notCarried);
            AtomicFiles.writeString(tmp.resolve(MANIFEST), Json.write(manifest) + "\n");
            if (Files.isDirectory(out)) {
                Files.delete(out); // checked empty above
            }
            Files.createDirectories(parent);
            Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            CheckpointStore.deleteQuietly(tmp);
            if (e instanceof MdmException me) {
                throw me;
            }
            throw new MdmException("cannot write " + out + ": " + AtomicFiles.describe(e), e);
        }
        return new ExportResult(out, files, checkpoint, step, notCarried);
    }
}
