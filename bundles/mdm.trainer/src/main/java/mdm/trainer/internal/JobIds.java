package mdm.trainer.internal;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Properties;
import mdm.api.MdmException;

/**
 * Job ids unique within a work folder: {@code <experiment>-<n>}, with {@code n} counted per experiment
 * name in {@code <work>/jobs/ids.properties}, so that a reinstalled trainer bundle, a restarted
 * runtime or a second runtime on the same work folder never hands out an id again. The file is
 * read and written under an OS lock (released by the OS if the process dies).
 */
final class JobIds {
    static final String FILE = "jobs/ids.properties";
    private final Path file;

    JobIds(Path workDirectory) {
        this.file = workDirectory.resolve(FILE);
    }

    /** The next id for experiment {@code name}. */
    synchronized String next(String name) {
        try {
            Files.createDirectories(file.getParent());
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE); FileLock ignored = lock(ch)) {
                ByteBuffer buf = ByteBuffer.allocate((int) Math.min(ch.size(), 1 << 20));
                while (buf.hasRemaining() && ch.read(buf) > 0) {
                    // read it all
                }
                Properties counts = new Properties();
                counts.load(new StringReader(new String(buf.array(), 0, buf.position(), StandardCharsets.ISO_8859_1)));
                long n;
                try {
                    n = Long.parseLong(counts.getProperty(name, "0").trim()) + 1;
                } catch (NumberFormatException e) {
                    n = 1; // a hand-edited count: start again, the run folders keep their own names
                }
                counts.setProperty(name, Long.toString(n));
                StringWriter text = new StringWriter();
                counts.store(text, "the last job number per experiment name in this work folder");
                byte[] bytes = text.toString().getBytes(StandardCharsets.ISO_8859_1);
                ch.truncate(0);
                ch.write(ByteBuffer.wrap(bytes), 0);
                ch.force(true);
                return name + "-" + n;
            }
        } catch (IOException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new MdmException("cannot record the job id in " + file + ": " + e.getMessage()
                    + ". The work folder must be writable.", e);
        }
    }

    /**
     * The OS lock on the file. Within one JVM the OS lock does not exclude: another instance of this
     * class (a reinstalled bundle's, say) holding it makes {@code lock()} throw, so wait for it.
     */
    private FileLock lock(FileChannel ch) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            try {
                return ch.lock();
            } catch (OverlappingFileLockException e) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("it stayed locked by this process for 10 s");
                }
                Thread.sleep(2);
            }
        }
    }
}
