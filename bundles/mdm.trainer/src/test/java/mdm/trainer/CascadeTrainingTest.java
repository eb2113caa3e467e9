package mdm.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mdm.api.MdmException;
import mdm.api.generate.GenerationRequest;
import mdm.api.generate.GenerationResult;
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

/** The cascade pipeline through the trainer and the generator: stages, chained sampling, resume, bad input. */
class CascadeTrainingTest {
    static EngineRuntime runtime;

    @RegisterExtension
    static final EngineExtension ENGINE = new EngineExtension(r -> runtime = r);
    static Path spec;

    @BeforeAll
    static void start() throws Exception {
        spec = Path.of(CascadeTrainingTest.class.getResource("/tiny-cascade.yaml").toURI());
    }

    @Test
    void trainsEachNetworkInItsStageAndSamplesTheChain(@TempDir Path work) throws Exception {
        try (TrainingService trainer = new TrainingService(TestComponents.registry(runtime), runtime, work)) {
            Job job = trainer.start(new TrainRequest(spec, null, null, false));
            assertTrue(job.await(5, TimeUnit.MINUTES));
            assertEquals(JobState.COMPLETED, job.state(), job.reason().orElse(""));
            Path out = job.output();
            List<JsonNode> steps = losses(out);
            assertEquals(6, steps.size());
            assertTrue(steps.get(0).path("levels").has("8"), "stage 1 trains the 8² base: " + steps.get(0));
            assertTrue(steps.get(5).path("levels").has("16"), "stage 2 trains the 16² super-resolution network");
            // the final checkpoint holds the whole chain: the base (frozen, under lower.) and the new network
            Path last = out.resolve("checkpoints/step-00000006");
            JsonNode record = Json.read(last.resolve("experiment.json"));
            assertEquals("cascade", record.path("backbone").asText());
            assertTrue(Files.isRegularFile(out.resolve("samples/final.png")));
            assertTrue(Files.isRegularFile(out.resolve("samples/final-8.png")), "a grid per stage");

            GenerationService generator = new GenerationService(TestComponents.registry(runtime), runtime);
            GenerationResult r = generator.generate(new GenerationRequest(out, List.of(), List.of("red", "blue"), 4, 3,
                    null, 2.0, 11, true, work.resolve("a"), null));
            assertEquals(2, r.grids().size(), "one grid per stage: " + r.grids());
            assertEquals("grid.png", r.grids().get(0).getFileName().toString(), "the 16² stage's grid");
            assertEquals("grid-8.png", r.grids().get(1).getFileName().toString(), "the base's grid");
            GenerationResult again = generator.generate(new GenerationRequest(out, List.of(), List.of("red", "blue"), 4, 3,
                    null, 2.0, 11, true, work.resolve("b"), null));
            GenerationResult other = generator.generate(new GenerationRequest(out, List.of(), List.of("red", "blue"), 4, 3,
                    null, 2.0, 12, true, work.resolve("c"), null));
            for (int i = 0; i < 2; i++) {
                assertArrayEquals(Files.readAllBytes(r.grids().get(i)), Files.readAllBytes(again.grids().get(i)),
                        "the same seed gives the same chain");
            }
            assertTrue(!java.util.Arrays.equals(Files.readAllBytes(r.grids().get(0)),
                    Files.readAllBytes(other.grids().get(0))), "another seed gives other images");
        }
    }

    /** Stopped in the super-resolution stage and resumed, the run logs the losses of an uninterrupted one. */
    @Test
    void resumedCascadeRepeatsTheUninterruptedLosses(@TempDir Path work) throws Exception {
        try (TrainingService trainer = new TrainingService(TestComponents.registry(runtime), runtime, work)) {
            Job straight = trainer.start(new TrainRequest(spec, null, work.resolve("straight"), false));
            assertTrue(straight.await(5, TimeUnit.MINUTES));
            assertEquals(JobState.COMPLETED, straight.state(), straight.reason().orElse(""));

            Job first = trainer.start(new TrainRequest(spec, null, work.resolve("interrupted"), false));
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

            Job resumed = trainer.start(new TrainRequest(spec, null, work.resolve("interrupted"), true));
            assertTrue(resumed.await(5, TimeUnit.MINUTES));
            assertEquals(JobState.COMPLETED, resumed.state(), resumed.reason().orElse(""));
            assertEquals(losses(straight.output()).stream().map(n -> n.path("loss").asDouble()).toList(),
                    losses(resumed.output()).stream().map(n -> n.path("loss").asDouble()).toList());
        }
    }

    @Test
    void badCascadesAreRefusedBeforeTraining(@TempDir Path work) throws IOException {
        String text = Files.readString(spec);
        try (TrainingService trainer = new TrainingService(TestComponents.registry(runtime), runtime, work)) {
            String m = message(() -> trainer.validate(write(work, "input.yaml",
                    text.replace("- resolution: 16", "- resolution: 16\n      input_resolution: 4"))));
            assertTrue(m.contains("input_resolution is 4") && m.contains("generates 8²"), m);

            m = message(() -> trainer.validate(write(work, "top.yaml", text.replace("- resolution: 16", "- resolution: 32"))));
            assertTrue(m.contains("generates 32²") && m.contains("dataset gives 16²"), m);

            m = message(() -> trainer.validate(write(work, "stages.yaml", text.replace("  - {name: sr16, steps: 3}\n", ""))));
            assertTrue(m.contains("has 2 networks") && m.contains("one stage per network"), m);

            m = message(() -> trainer.validate(write(work, "backbone.yaml", text.replace("backbone: unet", "backbone: nested_unet"))));
            assertTrue(m.contains("set components.backbone: unet"), m);

            m = message(() -> trainer.validate(write(work, "typo.yaml", text.replace("noise_aug_max:", "noise_aug_mx:"))));
            assertTrue(m.contains("did you mean 'noise_aug_max'"), m);

            m = message(() -> trainer.validate(write(work, "level.yaml", text.replace("noise_aug_max: 0.5", "noise_aug_max: 2"))));
            assertTrue(m.contains("noise_aug_max is 2.0"), m);

            m = message(() -> trainer.validate(write(work, "pipe.yaml", text.replace("pipeline: cascade", "pipeline: cascde"))));
            assertTrue(m.contains("did you mean 'cascade'"), m);

            m = message(() -> trainer.validate(write(work, "none.yaml", text.replace("pipeline: cascade", "pipeline: mdm"))));
            assertTrue(m.contains("set pipeline: cascade"), m);
        }
    }

    private static String message(Runnable r) {
        MdmException e = assertThrows(MdmException.class, r::run);
        return e.getMessage();
    }

    private static Path write(Path dir, String name, String text) {
        Path f = dir.resolve(name);
        try {
            Files.writeString(f, text);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return f;
    }

    static List<JsonNode> losses(Path out) throws IOException {
        List<JsonNode> records = new ArrayList<>();
        for (String line : Files.readAllLines(out.resolve("metrics.jsonl"))) {
            JsonNode n = Json.parse(line);
            if (n.has("loss")) {
                records.add(n);
            }
        }
        return records;
    }
}
