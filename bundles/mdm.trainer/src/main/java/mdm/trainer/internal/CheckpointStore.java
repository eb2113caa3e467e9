package mdm.trainer.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import mdm.api.MdmException;
import mdm.core.config.Json;
import mdm.core.io.AtomicFiles;
import mdm.core.io.Safetensors;

/**
 * Checkpoints of one run, each a folder {@code checkpoints/step-NNNNNNNN}.
 *
 * <p>A checkpoint is written into a hidden temporary sibling, flushed to disk, and renamed in one
 * atomic step, so a crash (even {@code kill -9}) leaves either the whole checkpoint or none of it; a
 * write that fails for any reason (a full disk included) removes its temporary folder. Old
 * checkpoints are pruned by renaming them to a hidden sibling first and deleting that, so a visible
 * checkpoint is never half deleted. Hidden leftovers of interrupted writes and prunes are removed
 * when a run starts. {@code state.json}, written last, carries the SHA-256 of every other file, which
 * {@link #verify} checks before the files are used.
 */
class CheckpointStore {
    static final String EXPERIMENT = "experiment.json";
    static final String STATE = "state.json";
    static final String MODEL = "model.safetensors";
    static final String EMA = "ema.safetensors";
    static final String OPTIMIZER = "optimizer.safetensors";
    static final String CONDITIONER = "conditioner.safetensors";
    static final String CONDITIONER_EMA = "conditioner-ema.safetensors";

    private static final String PRUNED = ".pruned-";

    private final Path folder;

    CheckpointStore(Path runFolder) {
        this.folder = runFolder.resolve("checkpoints");
    }

    /** What a checkpoint holds; tensor maps may be empty, never null. */
    record Contents(JsonNode experiment, CheckpointState state, Map<String, NDArray> model, Map<String, NDArray> ema,
                    Map<String, NDArray> optimizer, Map<String, NDArray> conditioner,
                    Map<String, NDArray> conditionerEma) {
    }

    /** Writes a checkpoint atomically; returns its folder. An existing checkpoint of the same step is kept. */
    Path write(long step, Contents c) {
        Path target = folder.resolve(name(step));
        if (Files.isDirectory(target)) {
            return target;
        }
        Optional<Path> previous = latest();
        try {
            return writeTo(target, c);
        } catch (CheckpointWriteException e) {
            String intact = previous.map(p -> "the previous checkpoint " + p.getFileName() + " is intact")
                    .orElse("no earlier checkpoint exists");
            throw new MdmException(e.what + " while writing checkpoint " + name(step) + "; " + intact, e.getCause());
        }
    }

    /** Writes a checkpoint into {@code target} (which must not exist) through a temporary sibling. */
    Path writeTo(Path target, Contents c) {
        Path parent = target.toAbsolutePath().getParent();
        Path tmp = parent.resolve("." + target.getFileName() + AtomicFiles.TEMP_MARK + System.nanoTime());
        try {
            Files.createDirectories(tmp);
            writeText(tmp.resolve(EXPERIMENT), Json.write(c.experiment()));
            writeTensors(tmp.resolve(MODEL), c.model());
            writeTensors(tmp.resolve(EMA), c.ema());
            writeTensors(tmp.resolve(OPTIMIZER), c.optimizer());
            writeTensors(tmp.resolve(CONDITIONER), c.conditioner());
            writeTensors(tmp.resolve(CONDITIONER_EMA), c.conditionerEma());
            Map<String, String> sums = new LinkedHashMap<>();
            try (Stream<Path> files = Files.list(tmp)) {
                for (Path f : files.sorted().toList()) {
                    sums.put(f.getFileName().toString(), sha256(f));
                }
            }
            // state.json last: its presence marks a complete checkpoint even before the rename
            writeText(tmp.resolve(STATE), c.state().withChecksums(sums).toJson());
            fsync(tmp);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            fsync(parent);
            return target;
        } catch (IOException | RuntimeException | Error e) {
            // any failure, not only an IOException: a temporary checkpoint must never keep the disk full
            deleteQuietly(tmp);
            if (e instanceof Error err && !(e instanceof OutOfMemoryError)) {
                throw err;
            }
            throw new CheckpointWriteException(AtomicFiles.describe(e).startsWith("no space left")
                    ? "no space left on the device of " + parent
                    : "cannot write to " + parent + " (" + AtomicFiles.describe(e) + ")", e);
        }
    }

    /** A failed checkpoint write; {@link #write} adds which checkpoint is still intact. */
    static final class CheckpointWriteException extends MdmException {
        final String what;

        CheckpointWriteException(String what, Throwable cause) {
            super(what, cause);
            this.what = what;
        }
    }

    /** Writes one tensor file (a test may make it fail, as a full disk would). */
    void writeTensors(Path file, Map<String, NDArray> tensors) throws IOException {
        if (!tensors.isEmpty()) {
            Safetensors.write(file, tensors);
        }
    }

    /** The newest complete checkpoint (it has a state file; see {@link #newestUsable} for one that verifies). */
    Optional<Path> latest() {
        return list().stream().reduce((a, b) -> b);
    }

    /** Complete checkpoints, oldest first. */
    List<Path> list() {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(folder)) {
            return s.filter(p -> p.getFileName().toString().matches("step-\\d+"))
                    .filter(p -> Files.isRegularFile(p.resolve(STATE)))
                    .sorted(Comparator.comparing(p -> p.getFileName().toString()))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A checkpoint whose state reads and whose files match their checksums, with the newer ones passed over. */
    record Usable(Path folder, CheckpointState state, List<String> passedOver) {
    }

    /**
     * The newest checkpoint that can be used: its state file reads and every file matches its checksum.
     * Newer ones that cannot are listed (with why) in {@link Usable#passedOver}.
     */
    Optional<Usable> newestUsable() {
        List<Path> all = list();
        List<String> passed = new ArrayList<>();
        for (int i = all.size() - 1; i >= 0; i--) {
            Path dir = all.get(i);
            try {
                CheckpointState state = CheckpointState.read(dir.resolve(STATE));
                verify(dir, state, null);
                return Optional.of(new Usable(dir, state, List.copyOf(passed)));
            } catch (MdmException e) {
                passed.add(dir.getFileName() + " (" + e.getMessage() + ")");
            }
        }
        if (!passed.isEmpty()) {
            throw new MdmException("no usable checkpoint in " + folder + ": " + String.join("; ", passed));
        }
        return Optional.empty();
    }

    /**
     * Checks files of a checkpoint against the SHA-256 sums in its state: all of them, or only
     * {@code names} when given. A checkpoint written before sums were kept passes unchecked.
     */
    static void verify(Path dir, CheckpointState state, List<String> names) {
        Map<String, String> sums = state.sha256();
        if (sums == null) {
            return;
        }
        for (Map.Entry<String, String> e : sums.entrySet()) {
            if (names != null && !names.contains(e.getKey())) {
                continue;
            }
            Path f = dir.resolve(e.getKey());
            if (!Files.isRegularFile(f)) {
                throw new MdmException(e.getKey() + " is missing from " + dir);
            }
            if (!sha256(f).equals(e.getValue())) {
                throw new MdmException(e.getKey() + " in " + dir + " does not match the SHA-256 recorded in its "
                        + STATE + ": the file was changed or damaged after the checkpoint was written");
            }
        }
    }

    /**
     * Reads the weights file {@code name} of {@code checkpoint} and hands it to {@code load}, checking
     * files against the SHA-256 sums in the checkpoint's state: every file of the checkpoint when
     * {@code everyFile} (so that damaged weights are noticed even where another file is sampled
     * from), else only this one. When the weights do not fit (the error {@code load} throws), that
     * error comes first, noting a checksum mismatch too; weights that fit but differ from their
     * checksum are refused.
     */
    static void loadVerified(Path checkpoint, String name, boolean everyFile, NDManager manager,
                             java.util.function.Consumer<Map<String, NDArray>> load) {
        String mismatch = null;
        try {
            verify(checkpoint, CheckpointState.read(checkpoint.resolve(STATE)), everyFile ? null : List.of(name));
        } catch (MdmException e) {
            mismatch = e.getMessage();
        }
        try {
            load.accept(Safetensors.read(checkpoint.resolve(name), manager));
        } catch (MdmException e) {
            if (mismatch != null) {
                throw new MdmException(e.getMessage() + " (also: " + mismatch + ")", e);
            }
            throw e;
        }
        if (mismatch != null) {
            throw new MdmException("checkpoint " + checkpoint + " cannot be used: " + mismatch);
        }
    }

    /**
     * Removes all but the newest {@code keep} checkpoints (and never {@code alsoKeep}): each is
     * renamed to a hidden sibling first, so that a crash part-way leaves no visible half checkpoint.
     */
    void prune(int keep, Path alsoKeep) {
        List<Path> all = list();
        for (int i = 0; i < all.size() - keep; i++) {
            Path victim = all.get(i);
            if (victim.equals(alsoKeep)) {
                continue;
            }
            Path hidden = folder.resolve(PRUNED + victim.getFileName() + "-" + System.nanoTime());
            try {
                Files.move(victim, hidden, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                continue; // left visible and whole; the next prune tries again
            }
            deleteQuietly(hidden);
        }
    }

    /**
     * Removes what interrupted writes and prunes left: hidden temporary and pruned checkpoint folders,
     * visible checkpoint folders without a state file (half deleted by an older version), and temporary
     * files of plots, grids and summaries in the run folder. Returns what was removed, for the log.
     */
    List<String> cleanLeftovers() {
        Path run = folder.getParent();
        List<String> removed = new ArrayList<>();
        if (Files.isDirectory(folder)) {
            try (Stream<Path> s = Files.list(folder)) {
                for (Path p : s.sorted().toList()) {
                    String n = p.getFileName().toString();
                    boolean leftover = n.startsWith(PRUNED) || AtomicFiles.isTemporary(n)
                            || n.matches("step-\\d+") && Files.isDirectory(p) && !Files.exists(p.resolve(STATE));
                    if (leftover) {
                        deleteQuietly(p);
                        removed.add("checkpoints/" + n);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        for (Path dir : new Path[] {run, run.resolve("samples")}) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> s = Files.list(dir)) {
                for (Path p : s.sorted().toList()) {
                    if (Files.isRegularFile(p) && AtomicFiles.isTemporary(p.getFileName().toString())) {
                        deleteQuietly(p);
                        removed.add(run.relativize(p).toString());
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return removed;
    }

    static String name(long step) {
        return String.format("step-%08d", step);
    }

    static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                digest.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (IOException e) {
            throw new MdmException("cannot read " + file + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void writeText(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    private static void fsync(Path dirOrFile) throws IOException {
        try (Stream<Path> files = Files.isDirectory(dirOrFile) ? Files.list(dirOrFile) : Stream.of(dirOrFile)) {
            for (Path f : files.toList()) {
                if (Files.isRegularFile(f)) {
                    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
                        ch.force(true);
                    }
                }
            }
        }
        if (Files.isDirectory(dirOrFile)) {
            try (FileChannel ch = FileChannel.open(dirOrFile, StandardOpenOption.READ)) {
                ch.force(true);
            } catch (IOException e) {
                // some file systems cannot sync a directory; the rename is still atomic
            }
        }
    }

    static void deleteQuietly(Path p) {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(p)) {
            walk.sorted(Comparator.reverseOrder()).forEach(f -> {
                try {
                    Files.deleteIfExists(f);
                } catch (IOException e) {
                    // best effort: a hidden leftover is removed when the next run starts
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // best effort
        }
    }
}
