package mdm.trainer.internal;

import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import mdm.api.MdmException;
import mdm.core.config.Json;
import mdm.core.io.Safetensors;

/**
 * Checkpoints of one run, each a folder {@code checkpoints/step-NNNNNNNN}. A checkpoint is written
 * into a hidden temporary sibling, flushed to disk, and renamed in one atomic step, so a crash
 * (even {@code kill -9}) leaves either the whole checkpoint or none of it.
 */
final class CheckpointStore {
    static final String EXPERIMENT = "experiment.json";
    static final String STATE = "state.json";
    static final String MODEL = "model.safetensors";
    static final String EMA = "ema.safetensors";
    static final String OPTIMIZER = "optimizer.safetensors";
    static final String CONDITIONER = "conditioner.safetensors";
    static final String CONDITIONER_EMA = "conditioner-ema.safetensors";

    private final Path folder;

    CheckpointStore(Path runFolder) {
        this.folder = runFolder.resolve("checkpoints");
    }

    /** What a checkpoint holds; tensor maps may be empty, never null. */
    record Contents(JsonNode experiment, JsonNode state, Map<String, NDArray> model, Map<String, NDArray> ema,
                    Map<String, NDArray> optimizer, Map<String, NDArray> conditioner,
                    Map<String, NDArray> conditionerEma) {
    }

    /** Writes a checkpoint atomically; returns its folder. An existing checkpoint of the same step is kept. */
    Path write(long step, Contents c) {
        Path target = folder.resolve(name(step));
        if (Files.isDirectory(target)) {
            return target;
        }
        return writeTo(target, c);
    }

    /** Writes a checkpoint into {@code target} (which must not exist) through a temporary sibling. */
    static Path writeTo(Path target, Contents c) {
        Path folder = target.toAbsolutePath().getParent();
        Path tmp = folder.resolve("." + target.getFileName() + ".tmp-" + System.nanoTime());
        try {
            Files.createDirectories(tmp);
            writeText(tmp.resolve(EXPERIMENT), Json.write(c.experiment()));
            tensors(tmp.resolve(MODEL), c.model());
            tensors(tmp.resolve(EMA), c.ema());
            tensors(tmp.resolve(OPTIMIZER), c.optimizer());
            tensors(tmp.resolve(CONDITIONER), c.conditioner());
            tensors(tmp.resolve(CONDITIONER_EMA), c.conditionerEma());
            // state.json last: its presence marks a complete checkpoint even before the rename
            writeText(tmp.resolve(STATE), Json.write(c.state()));
            fsync(tmp);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            fsync(folder);
            return target;
        } catch (IOException e) {
            deleteQuietly(tmp);
            throw new MdmException("cannot write checkpoint " + target + ": " + e.getMessage()
                    + " (disk full or read-only?). The previous checkpoint is intact.", e);
        }
    }

    /** The newest complete checkpoint. */
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

    /** Removes all but the newest {@code keep} checkpoints, and leftovers of interrupted writes. */
    void prune(int keep, Path alsoKeep) {
        List<Path> all = list();
        for (int i = 0; i < all.size() - keep; i++) {
            if (!all.get(i).equals(alsoKeep)) {
                deleteQuietly(all.get(i));
            }
        }
        if (Files.isDirectory(folder)) {
            try (Stream<Path> s = Files.list(folder)) {
                s.filter(p -> p.getFileName().toString().startsWith(".step-")).forEach(CheckpointStore::deleteQuietly);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    static String name(long step) {
        return String.format("step-%08d", step);
    }

    private static void tensors(Path file, Map<String, NDArray> tensors) {
        if (!tensors.isEmpty()) {
            Safetensors.write(file, tensors);
        }
    }

    private static void writeText(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    private static void fsync(Path dirOrFile) {
        try (Stream<Path> files = Files.isDirectory(dirOrFile) ? Files.list(dirOrFile) : Stream.of(dirOrFile)) {
            for (Path f : files.toList()) {
                if (Files.isRegularFile(f)) {
                    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
                        ch.force(true);
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
        } catch (IOException e) {
            throw new UncheckedIOException(e);
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
                    // best effort: a leftover is removed on the next prune
                }
            });
        } catch (IOException e) {
            // best effort
        }
    }
}
