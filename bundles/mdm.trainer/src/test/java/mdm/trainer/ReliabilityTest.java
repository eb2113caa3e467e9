package mdm.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mdm.api.MdmException;
import mdm.api.generate.GenerationRequest;
import mdm.api.train.Job;
import mdm.api.train.JobState;
import mdm.api.train.Progress;
import mdm.api.train.ProgressListener;
import mdm.api.train.TrainRequest;
import mdm.core.config.Json;
import mdm.core.runtime.EngineRuntime;
import mdm.trainer.internal.GenerationService;
import mdm.trainer.internal.TrainingService;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import mdm.core.fixtures.EngineExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Real tiny runs that go wrong: a diverging learning rate, a resume with more steps, a damaged
 * newest checkpoint, damaged weights under {@code mdm:sample}, two jobs on one folder.
 */
class ReliabilityTest {
    static EngineRuntime runtime;

    @RegisterExtension
    static final EngineExtension ENGINE = new EngineExtension(r -> runtime = r);
    static Path spec;

    @BeforeAll
    static void start() throws Exception {
        spec = Path.of(ReliabilityTest.class.getResource("/tiny-nested.yaml").toURI());
    }

    private static List<String> events(Job job) {
        List<String> events = new CopyOnWriteArrayList<>();
        job.addListener(new ProgressListener() {
            @Override
            public void onProgress(Job j, Progress p) {
                if (p.message() != null) {
                    events.add(p.message());
                }
            }
        });
        return events;
    }

    /**
     * lr 1e6 makes the loss non-finite within a few steps; the steps are skipped (no NaN reaches
     * the weights), and after training.max_skipped_steps in a row the job fails with a message,
     * the runtime (this JVM) going on. Three times, as the crash it replaces came in 7 of 9 runs.
     */
    @Test
    void aDivergingRunFailsWithAMessageAndTheJvmSurvives(@TempDir Path work) throws Exception {
        Path diverging = write(work, "diverging.yaml", Files.readString(spec)
                .replace("optimizer: {lr: 0.001, warmup_steps: 2}", "optimizer: {lr: 1.0e6, warmup_steps: 1}")
                .replace("training: {", "training: {max_skipped_steps: 4, "));
        Pattern message = Pattern.compile("training diverged at step (\\d+) \\(loss (NaN|-?Infinity|[0-9.e+-]+)\\); "
                + "(the last good checkpoint is step (\\d+)|no checkpoint was written before it); "
                + "lower the learning rate \\(now [0-9.e+]+\\).*");
        try (TrainingService trainer = new TrainingService(TestComponents.registry(runtime), runtime, work)) {
            for (int run = 0; run < 3; run++) {
                Job job = trainer.start(new TrainRequest(diverging, 200L, work.resolve("diverge-" + run), false));
                assertTrue(job.await(5, TimeUnit.MINUTES));
                assertEquals(JobState.FAILED, job.state(), job.reason().orElse(""));
                String why = job.reason().orElseThrow();
                Matcher m = message.matcher(why);
                assertTrue(m.matches(), why);
                long step = Long.parseLong(m.group(1));
                if (run == 0) {
                    System.out.println("diverging run (lr 1e6): " + why);
                }
                assertTrue(step < 200, why);
                // every checkpoint left has finite weights and is the one named
                if (m.group(4) != null) {
                    long last = Long.parseLong(m.group(4));
                    assertTrue(Files.isDirectory(job.output().resolve(String.format("checkpoints/step-%08d", last))), why);
                    assertTrue(last < step, why);
                }
                List<JsonNode> logged = records(job.output());
                assertEquals(4, logged.get(logged.size() - 1).path("skipped_steps").asLong(), logged.toString());
            }
        }
        // the engine still works in this JVM
        try (var m = runtime.newManager()) {
            assertEquals(6f, m.create(new float[] {1, 2, 3}).sum().getFloat());
        }
    }

    @Test
    void anInfiniteLearningRateIsRefusedBeforeTraining(@TempDir Path work) throws IOException {
        try (TrainingService trainer = new TrainingService(TestComponents.registry(runtime), runtime, work)) {
            for (String lr : new String[] {"Infinity", "1e400", "-Infinity"}) {
                Path f = write(work, "inf.yaml", Files.readString(spec)
                        .replace("optimizer: {lr: 0.001,", "optimizer: {lr: " + lr + ","));
                MdmException e = assertThrows(MdmException.class, () -> trainer.validate(f));
                assertTrue(e.getMessage().contains(lr.startsWith("-") ? "optimizer.lr must be positive"
                        : "optimizer.lr must be a finite number"), lr + ": " + e.getMessage());
            }
        }
    }

    /**
     * A run of 6 steps resumed with --steps 10 trains to step 10 and only then says completed (the
     * finished first stage keeps its 3 steps, the second trains 7); a total below the steps done is
     * refused. A run whose newest checkpoint has a damaged state falls back to the previous one,
     * says which, and still logs exactly the losses of an uninterrupted run. Sampling (from the EMA
     * weights) refuses a checkpoint whose model weights differ from their checksum.
     */
    @Test
    void resumeReachesTheNewTotalFallsBackFromADamagedCheckpointAndSamplingVerifiesWeights(@TempDir Path work)
            throws Exception {
        try (TrainingService trainer = new TrainingService(TestComponents.registry(runtime), runtime, work)) {
            Job straight = trainer.start(new TrainRequest(spec, null, work.resolve("straight"), false));
            assertTrue(straight.await(5, TimeUnit.MINUTES));
            assertEquals(JobState.COMPLETED, straight.state(), straight.reason().orElse(""));

            // a damaged state.json in the newest checkpoint: resume from the one before, saying so
            Job first = trainer.start(new TrainRequest(spec, null, work.resolve("damaged"), false));
            first.addListener(new ProgressListener() {
                @Override
                public void onProgress(Job job, Progress p) {
                    if (p.step() == 5 && p.message() == null) {
                        first.stop();
                    }
                }
            });
            assertTrue(first.await(5, TimeUnit.MINUTES));
            assertEquals(JobState.STOPPED, first.state());
            Path newest = work.resolve("damaged/checkpoints/step-00000005");
            assertTrue(Files.isDirectory(newest));
            Files.writeString(newest.resolve("state.json"), "{\"global_step\": 5, \"stage\"");
            Job resumed = trainer.start(new TrainRequest(spec, null, work.resolve("damaged"), true));
            List<String> events = events(resumed);
            assertTrue(resumed.await(5, TimeUnit.MINUTES));
            assertEquals(JobState.COMPLETED, resumed.state(), resumed.reason().orElse(""));
            assertTrue(events.stream().anyMatch(e -> e.startsWith("cannot resume from step-00000005 (")
                    && e.contains("state.json cannot be read")
                    && e.endsWith("resuming from the previous good checkpoint step-00000004 instead")), events.toString());
            assertEquals(losses(straight.output()), losses(resumed.output()));

            // --steps 10 after a finished run of 6: trains on to 10
            Job longer = trainer.start(new TrainRequest(spec, 10L, straight.output(), true));
            assertTrue(longer.await(5, TimeUnit.MINUTES));
            assertEquals(JobState.COMPLETED, longer.state(), longer.reason().orElse(""));
            assertEquals(10, longer.progress().step());
            assertEquals(10, longer.progress().totalSteps());
            JsonNode state = Json.read(straight.output().resolve("checkpoints/step-00000010/state.json"));
            assertTrue(state.path("final").asBoolean(), state.toString());
            assertEquals(7, state.path("stage_steps").asLong(), "the second stage grew to reach the total");
            List<Double> all = losses(straight.output());
            assertEquals(10, all.size());
            // fewer steps than done: refused before anything runs
            MdmException fewer = assertThrows(MdmException.class,
                    () -> trainer.start(new TrainRequest(spec, 8L, straight.output(), true)));
            assertTrue(fewer.getMessage().contains("is at step 10"), fewer.getMessage());

            // the model's weights (not the EMA ones sampled from) with one flipped byte: sampling refuses
            Path model = straight.output().resolve("checkpoints/step-00000010/model.safetensors");
            try (RandomAccessFile f = new RandomAccessFile(model.toFile(), "rw")) {
                long at = f.length() - 17;
                f.seek(at);
                int b = f.read();
                f.seek(at);
                f.write(b ^ 0x40);
            }
            MdmException damaged = assertThrows(MdmException.class, () -> new GenerationService(
                    TestComponents.registry(runtime), runtime).generate(new GenerationRequest(
                    straight.output().resolve("checkpoints/step-00000010"), List.of(), List.of("red"), 1, 2, null,
                    null, 1, true, null, null)));
            assertTrue(damaged.getMessage().contains("model.safetensors in ")
                    && damaged.getMessage().contains("does not match the SHA-256 recorded in its state.json"),
                    damaged.getMessage());
        }
    }

    @Test
    void aSecondJobOnTheSameFolderIsRefused(@TempDir Path work) throws Exception {
        try (TrainingService trainer = new TrainingService(TestComponents.registry(runtime), runtime, work)) {
            Job a = trainer.start(new TrainRequest(spec, null, work.resolve("same"), false));
            MdmException e = assertThrows(MdmException.class,
                    () -> trainer.start(new TrainRequest(spec, null, work.resolve("same"), true)));
            assertTrue(e.getMessage().startsWith("run folder " + work.resolve("same") + " is in use by job " + a.id()
                    + " (pid " + ProcessHandle.current().pid() + ")"), e.getMessage());
            assertTrue(a.await(5, TimeUnit.MINUTES));
            assertEquals(JobState.COMPLETED, a.state(), a.reason().orElse(""));
            assertFalse(Files.list(work.resolve("same/checkpoints")).anyMatch(p -> p.getFileName().toString()
                    .startsWith(".")), "no hidden leftovers");
        }
    }

    private static Path write(Path dir, String name, String text) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(f, text);
        return f;
    }

    private static List<JsonNode> records(Path out) throws IOException {
        List<JsonNode> records = new ArrayList<>();
        for (String line : Files.readAllLines(out.resolve("metrics.jsonl"))) {
            JsonNode n = Json.parse(line);
            if (n.has("loss")) {
                records.add(n);
            }
        }
        return records;
    }

    private static List<Double> losses(Path out) throws IOException {
        return records(out).stream().map(n -> n.path("loss").asDouble()).toList();
    }
}
