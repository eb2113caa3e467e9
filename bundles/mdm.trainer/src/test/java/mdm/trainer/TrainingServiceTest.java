package mdm.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

class TrainingServiceTest {
    static EngineRuntime runtime;

    @RegisterExtension
    static final EngineExtension ENGINE = new EngineExtension(r -> runtime = r);
    static Path spec;

    @BeforeAll
    static void start() throws Exception {
        spec = Path.of(TrainingServiceTest.class.getResource("/tiny-nested.yaml").toURI());
    }

    @Test
    void progressiveRunLeavesCheckpointsMetricsCurvesAndSamples(@TempDir Path work) throws Exception {
        try (TrainingService trainer = new TrainingService(TestComponents.registry(runtime), runtime, work)) {
            Job job = trainer.start(new TrainRequest(spec, null, null, false));
            assertTrue(job.await(5, TimeUnit.MINUTES));
            assertEquals(JobState.COMPLETED, job.state(), job.reason().orElse(""));
            Path out = job.output();
            assertTrue(Files.isRegularFile(out.resolve("metrics.jsonl")));
            assertTrue(Files.isRegularFile(out.resolve("loss.png")));
            assertTrue(Files.isRegularFile(out.resolve("loss-16.png")));
            assertTrue(Files.isRegularFile(out.resolve("loss-8.png")));
            assertTrue(Files.isRegularFile(out.resolve("samples/final.png")));
            List<JsonNode> steps = losses(out);
            assertEquals(6, steps.size());
            assertEquals(1, steps.get(0).path("levels").size(), "stage 1 trains the 8² level alone");
            assertEquals(2, steps.get(5).path("levels").size(), "stage 2 trains both levels");
            assertTrue(Files.isDirectory(out.resolve("checkpoints/step-00000006")));
            // nothing accumulates in the run's long-lived managers from one step to the next
            assertEquals(steps.get(1).path("live_arrays").asLong(), steps.get(2).path("live_arrays").asLong(),
                    "stage 1 leaks: " + steps);
            assertEquals(steps.get(4).path("live_arrays").asLong(), steps.get(5).path("live_arrays").asLong(),
                    "stage 2 leaks: " + steps);
            assertEquals("true", Json.read(out.resolve("checkpoints/step-00000006/state.json")).path("final").asText());

            GenerationResult r = new GenerationService(TestComponents.registry(runtime), runtime).generate(
                    new GenerationRequest(out, List.of(), List.of("red", "blue"), 4, 3, null, null, 7, true, null, null));
            assertEquals(2, r.grids().size());
            assertEquals(List.of("red", "blue", "red", "blue"), r.conditions());
            assertTrue(r.evaluation().scores().containsKey("colour"), r.evaluation().scores().toString());
            GenerationResult again = new GenerationService(TestComponents.registry(runtime), runtime).generate(
                    new GenerationRequest(out, List.of(), List.of("red", "blue"), 4, 3, null, null, 7, true,
                            work.resolve("again"), null));
            assertTrue(java.util.Arrays.equals(Files.readAllBytes(r.grids().get(0)), Files.readAllBytes(again.grids().get(0))),
                    "the same seed gives the same images");
        }
    }

    /** An interrupted and resumed run logs exactly the losses of an uninterrupted one. */
    @Test
    void resumedRunRepeatsTheUninterruptedLosses(@TempDir Path work) throws Exception {
        try (TrainingService trainer = new TrainingService(TestComponents.registry(runtime), runtime, work)) {
            Job straight = trainer.start(new TrainRequest(spec, null, work.resolve("straight"), false));
            assertTrue(straight.await(5, TimeUnit.MINUTES));
            assertEquals(JobState.COMPLETED, straight.state(), straight.reason().orElse(""));

            Job first = trainer.start(new TrainRequest(spec, null, work.resolve("interrupted"), false));
            first.addListener(new ProgressListener() {
                @Override
                public void onProgress(Job job, Progress p) {
                    if (p.step() == 4 && p.message() == null) {
                        first.stop();
                    }
                }
            });
            assertTrue(first.await(5, TimeUnit.MINUTES));
            assertEquals(JobState.STOPPED, first.state());
            assertEquals(4, losses(first.output()).size());

            Job resumed = trainer.start(new TrainRequest(spec, null, work.resolve("interrupted"), true));
            assertTrue(resumed.await(5, TimeUnit.MINUTES));
            assertEquals(JobState.COMPLETED, resumed.state(), resumed.reason().orElse(""));
            assertEquals(losses(straight.output()).stream().map(n -> n.path("loss").asDouble()).toList(),
                    losses(resumed.output()).stream().map(n -> n.path("loss").asDouble()).toList());
        }
    }

    /** A reinstalled trainer bundle (a new service on the same work folder) does not start again at 1. */
    @Test
    void jobIdsAreUniquePerWorkFolder(@TempDir Path work) throws Exception {
        String first;
        try (TrainingService trainer = new TrainingService(TestComponents.registry(runtime), runtime, work)) {
            Job job = trainer.start(new TrainRequest(spec, 2L, work.resolve("a"), false));
            first = job.id();
            assertTrue(job.await(5, TimeUnit.MINUTES));
        }
        try (TrainingService trainer = new TrainingService(TestComponents.registry(runtime), runtime, work)) {
            Job job = trainer.start(new TrainRequest(spec, 2L, work.resolve("b"), false));
            assertTrue(job.await(5, TimeUnit.MINUTES));
            assertFalse(first.equals(job.id()), first + " handed out twice");
        }
    }

    @Test
    void badSpecsGiveClearErrors(@TempDir Path work) throws IOException {
        try (TrainingService trainer = new TrainingService(TestComponents.registry(runtime), runtime, work)) {
            Path missing = work.resolve("nope.yaml");
            assertTrue(message(() -> trainer.validate(missing)).contains("file not found"));

            Path typo = write(work, "typo.yaml", Files.readString(spec).replace("optimizer: {lr:", "optimiser: {lr:"));
            assertTrue(message(() -> trainer.validate(typo)).contains("did you mean 'optimizer'"));

            Path unknown = write(work, "unknown.yaml", Files.readString(spec).replace("backbone: nested_unet",
                    "backbone: nested_unte"));
            assertTrue(message(() -> trainer.validate(unknown)).contains("did you mean 'nested_unet'"));

            Path gpu = write(work, "gpu.yaml", Files.readString(spec).replace("training: {", "training: {devices: [\"gpu:1\"], "));
            assertTrue(message(() -> trainer.start(new TrainRequest(gpu, null, null, false))).contains("sees 0 GPU"));

            // the inner network halves its 8² input four times: 8 is not divisible by 16
            Path misfit = write(work, "misfit.yaml", Files.readString(spec)
                    .replace("resolution_channels: [16, 32]", "resolution_channels: [16, 32, 32, 32, 32]")
                    .replace("num_resnets_per_resolution: [1, 1]\n    attention_levels: [1]\n    num_attention_layers: [0, 1]",
                            "num_resnets_per_resolution: 1\n    attention_levels: [1]\n    num_attention_layers: [0, 1, 0, 0, 0]"));
            String m = message(() -> trainer.validate(misfit));
            assertTrue(m.contains("divisible by 16"), m);
        }
    }

    private static String message(Runnable r) {
        MdmException e = assertThrows(MdmException.class, r::run);
        return e.getMessage();
    }

    private static Path write(Path dir, String name, String text) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(f, text);
        return f;
    }

    private static List<JsonNode> losses(Path out) throws IOException {
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
