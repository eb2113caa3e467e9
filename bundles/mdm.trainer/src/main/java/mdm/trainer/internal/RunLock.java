package mdm.trainer.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import mdm.api.MdmException;

/**
 * One writer per run folder: an operating-system lock on {@code .lock} in the folder, held for the
 * job's life. It works across runtimes (processes) and within one; the file says which job and
 * process hold it. The operating system releases the lock when its process dies, so a killed
 * runtime never leaves a folder locked.
 */
final class RunLock implements AutoCloseable {
    static final String FILE = ".lock";

    private final FileChannel channel;
    private final FileLock lock;

    private RunLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Takes the folder's lock for {@code jobId}, or says who holds it. */
    static RunLock acquire(Path runFolder, String jobId) {
        Path file = runFolder.resolve(FILE);
        FileChannel channel = null;
        try {
            Files.createDirectories(runFolder);
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // this process holds it already, for another job
            }
            if (lock == null) {
                String holder = holder(channel);
                channel.close();
                throw new MdmException("run folder " + runFolder + " is in use by " + holder
                        + ": wait for it to end, stop it, or train into another folder with --out");
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(("job " + jobId + " (pid " + ProcessHandle.current().pid() + ")\n")
                    .getBytes(StandardCharsets.UTF_8)), 0);
            channel.force(false);
            return new RunLock(channel, lock);
        } catch (IOException e) {
            try {
                if (channel != null) {
                    channel.close();
                }
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new MdmException("cannot lock the run folder " + runFolder + ": " + e.getMessage(), e);
        }
    }

    /** What the lock file says about its holder ("job shapes-class-1 (pid 1234)"). */
    private static String holder(FileChannel channel) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(512);
        int n = channel.read(buf, 0);
        String text = n <= 0 ? "" : new String(buf.array(), 0, n, StandardCharsets.UTF_8).trim();
        return text.isEmpty() ? "another job (its process is starting)" : text;
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            // the lock goes with the channel, or with the process
        }
    }
}
