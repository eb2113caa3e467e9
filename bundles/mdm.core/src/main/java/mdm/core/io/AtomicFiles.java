package mdm.core.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import mdm.api.MdmException;

/**
 * Writes a file whole or not at all: the bytes go to a hidden temporary sibling
 * ({@code .name.tmp-…}), are flushed, and the temporary is renamed over the target in one step. A
 * crash, even {@code kill -9}, or a full disk leaves the previous file (or none), never half of one;
 * a failed write removes its temporary. Every plot, grid and summary a run writes goes through here.
 */
public final class AtomicFiles {
    /** The prefix of the temporaries, so that a folder's leftovers can be recognised and removed. */
    public static final String TEMP_PREFIX = ".";
    public static final String TEMP_MARK = ".tmp-";

    private AtomicFiles() {
    }

    /** What writes the file's content into a stream. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    public static Path write(Path file, byte[] bytes) {
        return write(file, out -> out.write(bytes));
    }

    public static Path writeString(Path file, String text) {
        return write(file, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Writes {@code content} to {@code file} atomically (parent folders are created). */
    public static Path write(Path file, Content content) {
        return writeVia(file, tmp -> {
            try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW)) {
                content.writeTo(out);
            }
        });
    }

    /** What writes a whole file at the path it is given (a writer that needs a path, e.g. {@code Safetensors.write}). */
    @FunctionalInterface
    public interface PathContent {
        void writeTo(Path temporary) throws IOException;
    }

    /**
     * Writes {@code file} atomically through a writer that takes a path: it writes the temporary
     * sibling, which is then flushed and renamed like every other atomic write (parent folders are created).
     */
    public static Path writeVia(Path file, PathContent content) {
        Path target = file.toAbsolutePath();
        Path parent = target.getParent();
        Path tmp = parent.resolve(TEMP_PREFIX + target.getFileName() + TEMP_MARK + ProcessHandle.current().pid()
                + "-" + System.nanoTime());
        try {
            Files.createDirectories(parent);
            content.writeTo(tmp);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            return file;
        } catch (IOException | RuntimeException | Error e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException | RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            if (e instanceof MdmException m) {
                throw m;
            }
            if (e instanceof Error err) {
                throw err;
            }
            throw new MdmException("cannot write " + file + ": " + describe(e), e);
        }
    }

    /** Whether {@code name} is a temporary this class (or an interrupted writer) left. */
    public static boolean isTemporary(String name) {
        return name.startsWith(TEMP_PREFIX) && name.contains(TEMP_MARK);
    }

    /** An I/O failure in words: "no space left on device" for a full disk, else the exception's message. */
    public static String describe(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage();
            if (m != null && m.toLowerCase(java.util.Locale.ROOT).contains("no space left")) {
                return "no space left on device";
            }
        }
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m;
    }
}
