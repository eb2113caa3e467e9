package mdm.trainer.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import mdm.api.MdmException;
import mdm.core.config.Json;
import mdm.core.io.Safetensors;
import mdm.trainer.internal.spec.SpecReader;

/**
 * A latent spec's {@code latent.autoencoder_checkpoint}: an autoencoder trained alone (a spec with
 * {@code pipeline: autoencoder}) or by another latent run, which this run uses frozen instead of
 * training its own. The trainer resolves it before anything is planned: the run folder (its newest
 * checkpoint that verifies) or checkpoint folder, absolute or relative to the work folder like
 * {@code output}; it must hold an autoencoder, whose configuration replaces the spec's
 * {@code latent.autoencoder} (which, when given, must agree with it) and whose image size must be
 * the data's. The filled-in spec is what the run records, so sampling it later needs only its own
 * checkpoints.
 */
final class AutoencoderReference {
    static final String FIELD = "autoencoder_checkpoint";
    private static final String WHERE = "latent." + FIELD;

    private AutoencoderReference() {
    }

    /** The spec file as the trainer uses it: with the autoencoder reference resolved, if it has one. */
    static JsonNode resolve(JsonNode spec, Path workDirectory) {
        if (!spec.isObject() || !SpecReader.PIPELINE_LATENT.equals(spec.path(SpecReader.PIPELINE).asText())) {
            return spec;
        }
        JsonNode latent = spec.path("latent");
        JsonNode given = latent.get(FIELD);
        if (given == null || given.isNull()) {
            return spec;
        }
        if (!given.isTextual() || given.asText().isBlank()) {
            throw new MdmException(WHERE + " must name a run folder or checkpoint folder of an autoencoder, e.g. "
                    + FIELD + ": runs/shapes-autoencoder");
        }
        Path checkpoint = locate(given.asText(), workDirectory);
        JsonNode record = Json.read(checkpoint.resolve(CheckpointStore.EXPERIMENT));
        JsonNode model = record.path("model");
        if (!ExperimentResolver.LATENT.equals(record.path("backbone").asText()) || !model.path("autoencoder").isObject()) {
            throw new MdmException(WHERE + ": " + checkpoint + " is a checkpoint of a '" + record.path("backbone").asText()
                    + "' model, not of an autoencoder: name the run of an autoencoder spec (pipeline: autoencoder) "
                    + "or of a latent spec");
        }
        JsonNode trained = model.get("autoencoder");
        JsonNode wanted = latent.get("autoencoder");
        if (wanted != null && !wanted.isNull()) {
            // what the spec says must be what was trained; what it leaves out is taken from the checkpoint
            String differences = differences(wanted, trained);
            if (!differences.isEmpty()) {
                throw new MdmException("latent.autoencoder does not match the autoencoder of " + checkpoint + " ("
                        + WHERE + "): " + differences
                        + ". Remove latent.autoencoder (the checkpoint's is used) or name another checkpoint");
            }
        }
        ObjectNode out = ((ObjectNode) spec).deepCopy();
        ObjectNode section = (ObjectNode) out.get("latent");
        section.set("autoencoder", trained);
        section.put(FIELD, checkpoint.toString());
        return out;
    }

    /** Refuses an autoencoder trained on images of another size than the run's data. */
    static void checkImageSize(Experiment exp) {
        for (StagePlan plan : exp.stages) {
            if (plan.pretrained() == null || !Files.isDirectory(plan.pretrained())) {
                continue;
            }
            int trained = Json.read(plan.pretrained().resolve(CheckpointStore.EXPERIMENT)).path("model").path("image_size").asInt();
            if (trained != exp.imageSize) {
                throw new MdmException(WHERE + ": the autoencoder of " + plan.pretrained() + " was trained on " + trained
                        + "² images but this spec's data are " + exp.imageSize + "²: train an autoencoder at "
                        + exp.imageSize + "² (pipeline: autoencoder) or change the dataset's image size");
            }
        }
    }

    /**
     * The autoencoder's weights in {@code checkpoint} for {@code target} (keys without prefix): its
     * EMA weights where it has them (what a latent run's second stage starts from too), under no prefix
     * (an autoencoder run) or under {@code autoencoder.} (a latent run's diffusion stage).
     */
    static Map<String, NDArray> weights(Path checkpoint, Map<String, NDArray> target, NDManager manager) {
        Path file = Files.isRegularFile(checkpoint.resolve(CheckpointStore.EMA))
                ? checkpoint.resolve(CheckpointStore.EMA) : checkpoint.resolve(CheckpointStore.MODEL);
        Map<String, NDArray> all = Safetensors.read(file, manager);
        Map<String, NDArray> out = new java.util.LinkedHashMap<>();
        for (String key : target.keySet()) {
            NDArray w = all.containsKey(key) ? all.get(key) : all.get(ExperimentResolver.LATENT_AUTOENCODER + key);
            if (w != null) {
                out.put(key, w);
            }
        }
        return out;
    }

    private static Path locate(String given, Path workDirectory) {
        Path p = Path.of(given);
        Path resolved = (p.isAbsolute() ? p : workDirectory.resolve(p)).toAbsolutePath().normalize();
        if (!Files.isDirectory(resolved)) {
            throw new MdmException(WHERE + ": " + given + " does not exist (looked for " + resolved + "): train the "
                    + "autoencoder first with a spec of pipeline: autoencoder (./mdm mdm:train <spec> --wait) and name "
                    + "its run folder here, relative to the work folder like output (e.g. runs/shapes-autoencoder)");
        }
        if (TrainingService.isCheckpoint(resolved)) {
            return resolved;
        }
        return new CheckpointStore(resolved).newestUsable().map(CheckpointStore.Usable::folder)
                .orElseThrow(() -> new MdmException(WHERE + ": " + resolved + " holds no checkpoint: name the run folder "
                        + "of a finished autoencoder run or one of its checkpoints/step-… folders"));
    }

    /** The fields the spec gives that the checkpoint's configuration has otherwise ("" when none). */
    private static String differences(JsonNode ours, JsonNode theirs) {
        List<String> out = new ArrayList<>();
        TreeSet<String> keys = new TreeSet<>();
        ours.fieldNames().forEachRemaining(keys::add);
        for (String k : keys) {
            if (!same(ours.get(k), theirs.path(k))) {
                out.add(k + " is " + ours.get(k) + " in the spec but " + (theirs.has(k) ? theirs.get(k) : "absent")
                        + " in the checkpoint");
            }
        }
        return String.join("; ", out);
    }

    /** Equal values, numbers compared by value (4 = 4.0, 1e-6 = 1.0E-6). */
    private static boolean same(JsonNode a, JsonNode b) {
        if (a.isNumber() && b.isNumber()) {
            return a.asDouble() == b.asDouble();
        }
        if (a.isArray() && b.isArray() && a.size() == b.size()) {
            for (int i = 0; i < a.size(); i++) {
                if (!same(a.get(i), b.get(i))) {
                    return false;
                }
            }
            return true;
        }
        return a.isTextual() && b.isTextual() ? a.asText().equalsIgnoreCase(b.asText()) : a.equals(b);
    }
}
