package mdm.trainer.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import mdm.api.MdmException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One writer per run folder, within a runtime and across processes; a killed holder blocks nothing. */
class RunLockTest {

    @Test
    void aSecondHolderInTheSameProcessIsToldWhoHoldsIt(@TempDir Path run) {
        try (RunLock first = RunLock.acquire(run, "tiny-1")) {
            MdmException e = assertThrows(MdmException.class, () -> RunLock.acquire(run, "tiny-2"));
            assertEquals("run folder " + run + " is in use by job tiny-1 (pid " + ProcessHandle.current().pid()
                    + "): wait for it to end, stop it, or train into another folder with --out", e.getMessage());
        }
        RunLock.acquire(run, "tiny-3").close(); // released with the job
    }

    /** Another JVM holds the lock as a runtime training into the folder would; kill -9 frees it. */
    @Test
    void aLockHeldByAnotherProcessRefusesAndAKilledHolderReleasesIt(@TempDir Path dir) throws Exception {
        Path run = dir.resolve("run");
        Files.createDirectories(run);
        Path source = dir.resolve("Holder.java");
        Files.writeString(source, """
                import java.nio.channels.FileChannel;
                import java.nio.file.*;
                public class Holder {
                    public static void main(String[] a) throws Exception {
                        FileChannel ch = FileChannel.open(Path.of(a[0]), StandardOpenOption.CREATE,
                                StandardOpenOption.READ, StandardOpenOption.WRITE);
                        var lock = ch.lock();
                        ch.truncate(0);
                        ch.write(java.nio.ByteBuffer.wrap(("job other-7 (pid " + ProcessHandle.current().pid()
                                + ")\\n").getBytes()), 0);
                        System.out.println("locked");
                        Thread.sleep(120_000);
                    }
                }
                """);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process holder = new ProcessBuilder(java, source.toString(), run.resolve(RunLock.FILE).toString())
                .redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("locked", out.readLine());
            MdmException e = assertThrows(MdmException.class, () -> RunLock.acquire(run, "tiny-1"));
            assertTrue(e.getMessage().startsWith("run folder " + run + " is in use by job other-7 (pid "
                    + holder.pid() + ")"), e.getMessage());
        } finally {
            holder.destroyForcibly(); // SIGKILL: the process cannot release anything itself
            assertTrue(holder.waitFor(30, TimeUnit.SECONDS));
        }
        try (RunLock lock = RunLock.acquire(run, "tiny-2")) {
            assertEquals("job tiny-2 (pid " + ProcessHandle.current().pid() + ")",
                    Files.readString(run.resolve(RunLock.FILE)).trim());
        }
    }
}
