package mdm.itests;

import static mdm.itests.RuntimeProcesses.lastLoggedStep;
import static mdm.itests.RuntimeProcesses.launch;
import static mdm.itests.RuntimeProcesses.loggedSteps;
import static mdm.itests.RuntimeProcesses.output;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.Test;

/**
 * {@code kill -9} of the runtime during training, then {@code --resume}: every checkpoint left is
 * complete, at most one checkpoint interval of steps is lost, and the resumed run finishes with an
 * unbroken record. The runtime runs as a separate process, started as {@code ./mdm} starts it.
 */
public class CrashResumeIT {
    static final int INTERVAL = 4;
    static final int STEPS = 40;

    @Test
    public void killedRunResumesFromItsLastCompleteCheckpoint() throws Exception {
        Path work = Files.createDirectories(Path.of(System.getProperty("mdm.itest.work", "target/work"),
                "crash-" + System.currentTimeMillis()).toAbsolutePath());
        Path spec = work.resolve("crash.yaml");
        Files.writeString(spec, Files.readString(Itest.RESOURCES.resolve("tiny-nested.yaml"))
                .replaceAll("training: \\{[^}]*\\}", "training: {batch_size: 4, checkpoint_every: " + INTERVAL
                        + ", log_every: 1, keep_checkpoints: 3}"));
        Path run = work.resolve("runs/crash");

        Process first = launch(work, "mdm:train", "--wait", "--steps", Integer.toString(STEPS), "--out", run.toString(),
                spec.toString());
        long deadline = System.currentTimeMillis() + 180_000;
        while (lastLoggedStep(run) < 2 * INTERVAL + 1 && first.isAlive() && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        assertTrue("the first run got going: " + output(work, "mdm:train"), lastLoggedStep(run) > 2 * INTERVAL);
        first.destroyForcibly(); // SIGKILL: no shutdown hook, no last checkpoint
        assertTrue(first.waitFor(30, TimeUnit.SECONDS));

        long logged = lastLoggedStep(run);
        List<Path> checkpoints = complete(run);
        assertTrue("a checkpoint survived", !checkpoints.isEmpty());
        long latest = step(checkpoints.get(checkpoints.size() - 1));
        assertTrue("lost " + (logged - latest) + " steps, more than one interval", logged - latest <= INTERVAL);

        Process second = launch(work, "mdm:train", "--wait", "--resume", "--steps", Integer.toString(STEPS), "--out",
                run.toString(), spec.toString());
        assertTrue(second.waitFor(5, TimeUnit.MINUTES));
        assertEquals(output(work, "mdm:train"), 0, second.exitValue());
        assertTrue(Files.isDirectory(run.resolve(String.format("checkpoints/step-%08d", STEPS))));
        List<Long> steps = loggedSteps(run);
        assertEquals(STEPS, steps.size());
        for (int i = 0; i < STEPS; i++) {
            assertEquals("metrics continue where the checkpoint was", i + 1, (long) steps.get(i));
        }
    }

    /** Every visible checkpoint folder must be whole: its state file and weights parse. */
    private static List<Path> complete(Path run) throws IOException {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(run.resolve("checkpoints"))) {
            for (Path dir : s.sorted().toList()) {
                String name = dir.getFileName().toString();
                if (name.startsWith(".")) {
                    continue; // an interrupted write: hidden, ignored, removed by the next prune
                }
                String state = Files.readString(dir.resolve("state.json"));
                assertTrue(name + " has a whole state.json", state.trim().endsWith("}"));
                assertTrue(name + " has its weights", Files.size(dir.resolve("model.safetensors")) > 1000);
                assertTrue(name + " has its optimiser state", Files.size(dir.resolve("optimizer.safetensors")) > 1000);
                out.add(dir);
            }
        }
        return out;
    }

    private static long step(Path checkpoint) {
        return Long.parseLong(checkpoint.getFileName().toString().substring("step-".length()));
    }
}
