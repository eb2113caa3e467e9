package mdm.slf4j.internal;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * A text file of bounded size: when a write would take {@code file} past {@code maxBytes}, it becomes
 * {@code file.1} (the older ones move up to {@code file.<keep>}, the oldest is dropped) and a new file
 * starts. At most {@code (keep + 1) × maxBytes} bytes are ever kept (plus one entry).
 */
final class RotatingFile implements AutoCloseable {
    private final Path file;
    private final long maxBytes;
    private final int keep;
    private Writer out;
    private long size;

    RotatingFile(Path file, long maxBytes, int keep) throws IOException {
        if (maxBytes < 1 || keep < 0) {
            throw new IllegalArgumentException("log file size " + maxBytes + " and files kept " + keep
                    + ": the size must be positive and the count not negative");
        }
        this.file = file;
        this.maxBytes = maxBytes;
        this.keep = keep;
        Files.createDirectories(file.toAbsolutePath().getParent());
        open();
    }

    Path path() {
        return file;
    }

    private void open() throws IOException {
        size = Files.exists(file) ? Files.size(file) : 0;
        out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND, StandardOpenOption.WRITE);
    }

    /** Appends {@code text} (whole lines) and flushes, rotating first if it would not fit. */
    synchronized void write(String text) throws IOException {
        long bytes = text.getBytes(StandardCharsets.UTF_8).length;
        if (size > 0 && size + bytes > maxBytes) {
            rotate();
        }
        out.write(text);
        out.flush();
        size += bytes;
    }

    private void rotate() throws IOException {
        out.close();
        if (keep == 0) {
            Files.delete(file);
        } else {
            Files.deleteIfExists(numbered(keep));
            for (int i = keep - 1; i >= 1; i--) {
                if (Files.exists(numbered(i))) {
                    Files.move(numbered(i), numbered(i + 1), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            Files.move(file, numbered(1), StandardCopyOption.REPLACE_EXISTING);
        }
        open();
    }

    private Path numbered(int i) {
        return file.resolveSibling(file.getFileName() + "." + i);
    }

    @Override
    public synchronized void close() throws IOException {
        out.close();
    }
}
