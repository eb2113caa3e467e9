package mdm.itests;

import static mdm.itests.RuntimeProcesses.lastLoggedStep;
import static mdm.itests.RuntimeProcesses.launch;
import static mdm.itests.RuntimeProcesses.loggedSteps;
import static org.junit.Assert.assertArrayEquals;
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
 * The cascade and latent pipelines through the real runtime and its commands, as {@code ./mdm} runs
 * them: {@code mdm:train} of a tiny spec, {@code kill -9} during its second stage, {@code --resume}
 * to the end with an unbroken record, then {@code mdm:sample} twice with one seed (the same grids,
 * one per cascade stage).
 */
public class BaselinesIT {
    static final int STEPS = 40;

    @Test
    public void cascadeTrainsResumesAfterKillAndSamplesEveryStage() throws Exception {
        Path run = trainKillResume("tiny-cascade.yaml", "cascade");
        List<Path> grids = sampleTwice(run);
        assertEquals("a grid per stage: " + grids, 2, grids.size());
        assertTrue(grids.toString(), grids.stream().anyMatch(p -> p.getFileName().toString().equals("grid-8.png")));
    }

    @Test
    public void latentTrainsResumesAfterKillAndSamplesDecodedImages() throws Exception {
        Path run = trainKillResume("tiny-latent.yaml", "latent");
        List<Path> grids = sampleTwice(run);
        assertEquals(grids.toString(), 1, grids.size());
        // events.log, not the shell's output: the first run may be killed before the shell prints the line
        assertTrue("the run recorded the measured scale factor",
                Files.readString(run.resolve("events.log")).contains("latent scale factor"));
    }

    /** Trains STEPS steps (half per stage), killed during the second stage and resumed; returns the run folder. */
    private static Path trainKillResume(String resource, String name) throws Exception {
        Path work = Files.createDirectories(Path.of(System.getProperty("mdm.itest.work", "target/work"),
                name + "-" + System.currentTimeMillis()).toAbsolutePath());
        Path spec = work.resolve(resource);
        Files.writeString(spec, Files.readString(Itest.RESOURCES.resolve(resource))
                .replaceAll("training: \\{[^}]*\\}", "training: {batch_size: 4, checkpoint_every: 4, log_every: 1,"
                        + " keep_checkpoints: 3}"));
        Path run = work.resolve("runs/" + name);
        Process first = launch(work, "mdm:train", "--wait", "--steps", Integer.toString(STEPS), "--out", run.toString(),
                spec.toString());
        long deadline = System.currentTimeMillis() + 300_000;
        while (lastLoggedStep(run) < STEPS / 2 + 6 && first.isAlive() && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        assertTrue("the first run reached its second stage: " + output(work), lastLoggedStep(run) > STEPS / 2 + 4);
        first.destroyForcibly(); // SIGKILL: no last checkpoint
        assertTrue(first.waitFor(30, TimeUnit.SECONDS));
        assertTrue("a checkpoint of the second stage survived", lastCheckpoint(run) > STEPS / 2);

        Process second = launch(work, "mdm:train", "--wait", "--resume", "--steps", Integer.toString(STEPS), "--out",
                run.toString(), spec.toString());
        assertTrue(second.waitFor(5, TimeUnit.MINUTES));
        assertEquals(output(work), 0, second.exitValue());
        assertTrue(Files.isDirectory(run.resolve(String.format("checkpoints/step-%08d", STEPS))));
        List<Long> steps = loggedSteps(run);
        assertEquals(STEPS, steps.size());
        for (int i = 0; i < STEPS; i++) {
            assertEquals("metrics continue where the checkpoint was", i + 1, (long) steps.get(i));
        }
        return run;
    }

    /** mdm:sample twice with one seed: the same grid files, byte for byte; returns the grids of the first. */
    private static List<Path> sampleTwice(Path run) throws Exception {
        Path work = run.getParent().getParent();
        List<List<Path>> both = new ArrayList<>();
        for (String out : new String[] {"a", "b"}) {
            Path folder = work.resolve("samples-" + out);
            Process p = launch(work, "mdm:sample", "--label", "red,blue", "--n", "4", "--steps", "3", "--seed", "5",
                    "--out", folder.toString(), run.toString());
            assertTrue(p.waitFor(5, TimeUnit.MINUTES));
            assertEquals(output(work), 0, p.exitValue());
            try (Stream<Path> s = Files.list(folder)) {
                both.add(s.filter(f -> f.getFileName().toString().startsWith("grid")
                        && f.getFileName().toString().endsWith(".png")).sorted().toList());
            }
        }
        assertEquals(both.get(0).size(), both.get(1).size());
        for (int i = 0; i < both.get(0).size(); i++) {
            assertArrayEquals("the same seed gives the same " + both.get(0).get(i).getFileName(),
                    Files.readAllBytes(both.get(0).get(i)), Files.readAllBytes(both.get(1).get(i)));
        }
        return both.get(0);
    }

    private static long lastCheckpoint(Path run) throws IOException {
        if (!Files.isDirectory(run.resolve("checkpoints"))) {
            return 0;
        }
        try (Stream<Path> s = Files.list(run.resolve("checkpoints"))) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("step-"))
                    .mapToLong(n -> Long.parseLong(n.substring(5))).max().orElse(0);
        }
    }

    private static String output(Path work) throws IOException {
        return RuntimeProcesses.output(work, "mdm:train") + RuntimeProcesses.output(work, "mdm:sample");
    }
}
