package mdm.trainer.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import mdm.api.runs.CheckpointInfo;
import mdm.api.runs.RunInfo;
import mdm.core.config.Json;

/**
 * Finds run folders on disk. A folder is a run when it holds {@code metrics.jsonl} or a
 * {@code checkpoints/} folder, which is what {@link TrainingRun} writes first; the search does not
 * descend into a run. It looks only where runs are written: the work folder's {@code runs/} (two
 * levels) and {@code studies/} (three levels, a study's arms), plus the folders it is given.
 */
final class RunScanner {
    static final String METRICS = "metrics.jsonl";
    static final String SAMPLES = "samples";
    private static final String CHECKPOINTS = "checkpoints";

    private final Path work;

    RunScanner(Path work) {
        this.work = work.toAbsolutePath().normalize();
    }

    /** Every run under the usual roots and among {@code extra} (e.g. the jobs' outputs), newest first. */
    List<RunInfo> runs(Collection<Path> extra) {
        Map<Path, RunInfo> found = new LinkedHashMap<>();
        collect(work.resolve("runs"), 2, found);
        collect(work.resolve("studies"), 3, found);
        for (Path p : extra) {
            Path folder = p.toAbsolutePath().normalize();
            if (!found.containsKey(folder) && isRun(folder)) {
                found.put(folder, read(folder));
            }
        }
        List<RunInfo> out = new ArrayList<>(found.values());
        out.sort(Comparator.comparing(RunInfo::modified).reversed().thenComparing(r -> r.folder().toString()));
        return out;
    }

    /** The run in {@code folder}, or the run a checkpoint folder (…/checkpoints/step-N) belongs to. */
    Optional<RunInfo> run(Path folder) {
        Path p = folder.toAbsolutePath().normalize();
        if (isRun(p)) {
            return Optional.of(read(p));
        }
        Path parent = p.getParent();
        if (parent != null && parent.getFileName() != null && parent.getFileName().toString().equals(CHECKPOINTS)
                && parent.getParent() != null && isRun(parent.getParent())) {
            return Optional.of(read(parent.getParent()));
        }
        return Optional.empty();
    }

    static boolean isRun(Path folder) {
        return Files.isRegularFile(folder.resolve(METRICS)) || Files.isDirectory(folder.resolve(CHECKPOINTS));
    }

    private static void collect(Path root, int depth, Map<Path, RunInfo> found) {
        if (depth == 0 || !Files.isDirectory(root)) {
            return;
        }
        try (Stream<Path> children = Files.list(root)) {
            for (Path child : children.filter(Files::isDirectory)
                    .filter(c -> !c.getFileName().toString().startsWith(".")).sorted().toList()) {
                if (isRun(child)) {
                    found.put(child.toAbsolutePath().normalize(), read(child));
                } else {
                    collect(child, depth - 1, found);
                }
            }
        } catch (IOException e) {
            // a folder that vanished or cannot be read holds no run we can show
        }
    }

    static RunInfo read(Path folder) {
        Path abs = folder.toAbsolutePath().normalize();
        List<CheckpointInfo> checkpoints = new ArrayList<>();
        for (Path c : new CheckpointStore(abs).list()) {
            checkpoints.add(checkpoint(c));
        }
        Instant modified = newest(abs, abs.resolve(METRICS), abs.resolve(SAMPLES), abs.resolve(CHECKPOINTS));
        return new RunInfo(abs, experimentName(abs), checkpoints, abs.resolve(METRICS), abs.resolve(SAMPLES), modified);
    }

    private static CheckpointInfo checkpoint(Path folder) {
        long step = Long.parseLong(folder.getFileName().toString().substring("step-".length()));
        String stage = "";
        boolean last = false;
        try {
            CheckpointState state = CheckpointState.read(folder.resolve(CheckpointStore.STATE));
            step = state.globalStep();
            stage = state.stageName() == null ? "" : state.stageName();
            last = state.isFinal();
        } catch (RuntimeException e) {
            // an unreadable state leaves what the folder name says
        }
        return new CheckpointInfo(folder, step, stage, last, newest(folder.resolve(CheckpointStore.STATE)));
    }

    /** The spec's name from the run's experiment record, else the folder's name. */
    private static String experimentName(Path folder) {
        Path record = folder.resolve(CheckpointStore.EXPERIMENT);
        if (Files.isRegularFile(record)) {
            try {
                String name = Json.read(record).path("spec").path("name").asText("");
                if (!name.isEmpty()) {
                    return name;
                }
            } catch (RuntimeException e) {
                // fall back to the folder name
            }
        }
        return folder.getFileName().toString();
    }

    private static Instant newest(Path... paths) {
        Instant newest = Instant.EPOCH;
        for (Path p : paths) {
            try {
                FileTime t = Files.getLastModifiedTime(p);
                if (t.toInstant().isAfter(newest)) {
                    newest = t.toInstant();
                }
            } catch (IOException e) {
                // not there (yet)
            }
        }
        return newest;
    }
}
