package mdm.eval.featurenet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import mdm.api.MdmException;
import mdm.api.data.StreamPosition;
import mdm.core.config.Json;
import mdm.core.io.Safetensors;
import mdm.core.io.StateDicts;
import mdm.core.optim.AdamW;
import mdm.core.random.HostRandom;

/**
 * The state of an unfinished feature-network training, kept in {@code .<name>-partial/} beside
 * the output folder: weights, optimiser moments, step, data position and augmentation generator.
 * A run of the same spec continues from it exactly (same weights as an uninterrupted run); a
 * different spec starts afresh. Written into a temporary folder and renamed, so a kill at any
 * moment leaves the previous state intact.
 */
final class PartialRun {
    /** Steps between saved states. */
    static final long EVERY = 100;

    private static final String WEIGHTS = "weights.safetensors";
    private static final String OPTIMIZER = "optimizer.safetensors";
    private static final String STATE = "state.json";

    record State(long step, HostRandom flips, StreamPosition position, double seconds) {
    }

    private final Path folder;
    private final JsonNode spec;

    PartialRun(Path out, JsonNode spec) {
        Path abs = out.toAbsolutePath();
        this.folder = abs.resolveSibling("." + abs.getFileName() + "-partial");
        this.spec = spec;
    }

    Path folder() {
        return folder;
    }

    /** Restores the saved state into {@code params} and {@code adam}; null when there is none for this spec. */
    State load(Map<String, NDArray> params, AdamW adam, NDManager m) {
        // a kill between the two renames of save() leaves the previous state under the -old name
        Path old = folder.resolveSibling(folder.getFileName() + "-old");
        Path dir = Files.isRegularFile(folder.resolve(STATE)) ? folder : old;
        Path stateFile = dir.resolve(STATE);
        if (!Files.isRegularFile(stateFile)) {
            return null;
        }
        JsonNode state = Json.read(stateFile);
        if (!spec.equals(state.get("spec"))) {
            return null; // another spec trained here: start afresh (the folder is replaced at the first save)
        }
        try (NDManager files = m.newSubManager()) {
            StateDicts.loadStrict(Safetensors.read(dir.resolve(WEIGHTS), files), params);
            Map<String, Long> counts = new LinkedHashMap<>();
            state.path("optimizer_steps").fields().forEachRemaining(e -> counts.put(e.getKey(), e.getValue().asLong()));
            adam.restore(Safetensors.read(dir.resolve(OPTIMIZER), files), counts);
        }
        return new State(state.path("step").asLong(),
                new HostRandom(state.path("flip_seed").asLong(), state.path("flip_counter").asLong()),
                new StreamPosition(state.path("stream_epoch").asLong(), state.path("stream_index").asLong()),
                state.path("seconds").asDouble());
    }

    void save(long step, Map<String, NDArray> params, AdamW adam, HostRandom flips, StreamPosition position,
              double seconds) {
        try {
            Files.createDirectories(folder.getParent());
            Path tmp = Files.createTempDirectory(folder.getParent(), folder.getFileName() + "-");
            Safetensors.write(tmp.resolve(WEIGHTS), params);
            Safetensors.write(tmp.resolve(OPTIMIZER), adam.stateTensors());
            ObjectNode s = Json.empty();
            s.set("spec", spec);
            s.put("step", step);
            s.put("flip_seed", flips.seed());
            s.put("flip_counter", flips.counter());
            s.put("stream_epoch", position.epoch());
            s.put("stream_index", position.index());
            s.put("seconds", seconds);
            ObjectNode counts = s.putObject("optimizer_steps");
            adam.stepCounts().forEach(counts::put);
            Files.writeString(tmp.resolve(STATE), Json.write(s));
            Path old = folder.resolveSibling(folder.getFileName() + "-old");
            if (Files.exists(folder)) {
                deleteTree(old);
                Files.move(folder, old, StandardCopyOption.ATOMIC_MOVE);
            }
            Files.move(tmp, folder, StandardCopyOption.ATOMIC_MOVE);
            deleteTree(old);
        } catch (IOException e) {
            throw new MdmException("cannot keep the feature network's training state in " + folder + ": " + e.getMessage(), e);
        }
    }

    void delete() {
        try {
            deleteTree(folder);
            deleteTree(folder.resolveSibling(folder.getFileName() + "-old"));
        } catch (IOException e) {
            // the finished network is written; a stale state folder only costs disk space
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (var walk = Files.walk(p)) {
            for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(q);
            }
        }
    }
}
