package mdm.study.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import mdm.core.config.Json;

/**
 * What the study knows of one run folder ({@code study-run.json} beside the trainer's files): the
 * fingerprint of the plan it was made for, each training session (when it started and from which
 * checkpoint, so that the training time at every checkpoint can be told after an interruption),
 * the evaluation points reached under a wall-clock budget, and each evaluation's figures. Written
 * whole to a temporary file and renamed, so a crash leaves the previous version.
 */
final class RunState {
    static final String FILE = "study-run.json";

    private final Path folder;
    private final ObjectNode root;
    private final boolean exists;

    private RunState(Path folder, ObjectNode root, boolean exists) {
        this.folder = folder;
        this.root = root;
        this.exists = exists;
    }

    static RunState load(Path folder) {
        Path f = folder.resolve(FILE);
        if (Files.isRegularFile(f)) {
            return new RunState(folder, (ObjectNode) Json.read(f), true);
        }
        return new RunState(folder, Json.empty(), false);
    }

    static RunState create(Path folder, String fingerprint) {
        ObjectNode root = Json.empty();
        root.put("fingerprint", fingerprint);
        root.putArray("sessions");
        root.putObject("points");
        root.putObject("evaluations");
        return new RunState(folder, root, false);
    }

    boolean exists() {
        return exists;
    }

    String fingerprint() {
        return root.path("fingerprint").asText("");
    }

    /** A training session begins: it resumes from {@code fromStep} which was reached after {@code baseSeconds}. */
    void session(long startedMillis, long fromStep, double baseSeconds) {
        ObjectNode s = sessions().addObject();
        s.put("started_ms", startedMillis);
        s.put("from_step", fromStep);
        s.put("base_seconds", baseSeconds);
        save();
    }

    private ArrayNode sessions() {
        if (!root.has("sessions")) {
            root.putArray("sessions");
        }
        return (ArrayNode) root.get("sessions");
    }

    /**
     * Training seconds until the checkpoint at {@code step} was written: the time since the start of
     * the session that wrote it (the last one that started before the file and resumed from an
     * earlier step), plus the training time that session resumed from.
     */
    Optional<Double> secondsAt(long step, long writtenMillis) {
        ObjectNode best = null;
        for (JsonNode s : sessions()) {
            if (s.path("started_ms").asLong() <= writtenMillis && s.path("from_step").asLong() < step) {
                best = (ObjectNode) s;
            }
        }
        if (best == null) {
            return Optional.empty();
        }
        return Optional.of(best.path("base_seconds").asDouble() + (writtenMillis - best.path("started_ms").asLong()) / 1000.0);
    }

    /** Training seconds of the checkpoint at {@code step} of this folder, when it is there. */
    Optional<Double> secondsAt(long step) {
        Path state = Checkpoints.folder(folder, step).resolve(Checkpoints.STATE);
        if (!Files.isRegularFile(state)) {
            return Optional.empty();
        }
        try {
            return secondsAt(step, Files.getLastModifiedTime(state).toMillis());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Wall-clock budget: the checkpoint step reached for point k (1-based). */
    Optional<Long> pointStep(int k) {
        JsonNode n = root.path("points").get(String.valueOf(k));
        return n == null ? Optional.empty() : Optional.of(n.asLong());
    }

    void pointStep(int k, long step) {
        if (!root.has("points")) {
            root.putObject("points");
        }
        ((ObjectNode) root.get("points")).put(String.valueOf(k), step);
        save();
    }

    Optional<JsonNode> evaluation(int k) {
        return Optional.ofNullable(root.path("evaluations").get(String.valueOf(k)));
    }

    void evaluation(int k, ObjectNode record) {
        if (!root.has("evaluations")) {
            root.putObject("evaluations");
        }
        ((ObjectNode) root.get("evaluations")).set(String.valueOf(k), record);
        save();
    }

    int evaluated() {
        return root.path("evaluations").size();
    }

    /** Evaluations by point number. */
    TreeMap<Integer, JsonNode> evaluations() {
        TreeMap<Integer, JsonNode> out = new TreeMap<>();
        root.path("evaluations").fields().forEachRemaining(e -> out.put(Integer.parseInt(e.getKey()), e.getValue()));
        return out;
    }

    void save() {
        try {
            Files.createDirectories(folder);
            Path tmp = folder.resolve("." + FILE + ".tmp");
            Files.writeString(tmp, Json.write(root));
            try {
                Files.move(tmp, folder.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, folder.resolve(FILE), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + folder.resolve(FILE), e);
        }
    }

    /** The checkpoint folders of a run, by step. */
    static final class Checkpoints {
        static final String STATE = "state.json";

        private Checkpoints() {
        }

        static Path folder(Path run, long step) {
            return run.resolve("checkpoints").resolve(String.format("step-%08d", step));
        }

        static List<Long> steps(Path run) {
            Path dir = run.resolve("checkpoints");
            List<Long> out = new ArrayList<>();
            if (!Files.isDirectory(dir)) {
                return out;
            }
            try (Stream<Path> s = Files.list(dir)) {
                s.map(p -> p.getFileName().toString())
                        .filter(n -> n.matches("step-\\d+") && Files.isRegularFile(dir.resolve(n).resolve(STATE)))
                        .map(n -> Long.parseLong(n.substring(5))).sorted().forEach(out::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return out;
        }

        static long latest(Path run) {
            List<Long> s = steps(run);
            return s.isEmpty() ? 0 : s.get(s.size() - 1);
        }

        /** Whether the newest checkpoint is the run's last (the trainer marks it final). */
        static boolean finished(Path run) {
            List<Long> s = steps(run);
            if (s.isEmpty()) {
                return false;
            }
            return Json.read(folder(run, s.get(s.size() - 1)).resolve(STATE)).path("final").asBoolean(false);
        }
    }
}
