package mdm.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import mdm.api.Components;
import mdm.api.MdmException;
import mdm.api.eval.CheckpointEvalRequest;
import mdm.api.eval.QualityReport;
import mdm.api.eval.QualityRequest;
import mdm.api.eval.SampleQuality;
import mdm.api.train.Job;
import mdm.api.train.JobState;
import mdm.api.train.TrainRequest;
import mdm.core.config.Json;
import mdm.core.runtime.EngineRuntime;
import mdm.data.fashionmnist.FashionMnistOptions;
import mdm.trainer.internal.CheckpointEvaluation;
import mdm.trainer.internal.MapComponentRegistry;
import mdm.trainer.internal.TrainingService;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import mdm.core.fixtures.EngineExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * mdm:eval's service on a Fashion-MNIST model two steps old: evaluation during training lands in
 * metrics.jsonl and its plot; the checkpoint's FD is far above the floor (held-out test images
 * against training images, at the same N); eval.json records how the figures were made; bad
 * requests fail before anything is generated.
 */
class CheckpointEvaluationTest {
    static final int N = 200;
    static EngineRuntime runtime;

    @RegisterExtension
    static final EngineExtension ENGINE = new EngineExtension(r -> runtime = r);

    @BeforeAll
    static void start() {
        Assumptions.assumeTrue(Files.isDirectory(Path.of(FashionMnistOptions.DEBIAN_PATH)),
                "Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist): skipped");
    }

    @Test
    void untrainedModelIsFarAboveTheFloor(@TempDir Path work) throws Exception {
        MapComponentRegistry registry = TestEval.withQuality(TestComponents.registry(runtime), runtime, work);
        Path spec = Path.of(getClass().getResource("/tiny-fmnist.yaml").toURI());
        Path out;
        try (TrainingService trainer = new TrainingService(registry, runtime, work)) {
            Job job = trainer.start(new TrainRequest(spec, null, null, false));
            assertTrue(job.await(5, TimeUnit.MINUTES));
            assertEquals(JobState.COMPLETED, job.state(), job.reason().orElse(""));
            out = job.output();
        }
        List<JsonNode> quality = Files.readAllLines(out.resolve("metrics.jsonl")).stream().map(Json::parse)
                .filter(r -> r.has("quality")).toList();
        assertEquals(1, quality.size(), "evaluated at step 2");
        assertEquals(4 + 4, quality.get(0).path("images_seen").asLong());
        assertTrue(quality.get(0).path("quality").path("fd").asDouble() > 0);
        assertTrue(Files.isRegularFile(out.resolve("quality-fd.png")));

        CheckpointEvaluation eval = new CheckpointEvaluation(registry, runtime);
        QualityReport model = eval.evaluate(new CheckpointEvalRequest(out, N, null, 3, null, 1, true,
                List.of("fd", "kid", "accuracy"), null, true, 100), p -> { });
        SampleQuality q = registry.acquire(SampleQuality.class, Components.SAMPLE_QUALITY, "mdm").service();
        QualityReport floor = q.measureHeldOut(new QualityRequest("fashion-mnist",
                Map.of("split", "train", "image_size", 32, "channels", 3), null, List.of("fd", "kid", "accuracy"),
                N, 1, null, false, Map.of()), p -> { });
        System.out.printf("FD at N = %d: untrained model %.2f, floor (test vs train) %.2f; accuracy %.3f vs %.3f%n", N,
                model.figures().get("fd"), floor.figures().get("fd"), model.figures().get("accuracy"),
                floor.figures().get("accuracy"));
        assertTrue(model.figures().get("fd") > 10 * floor.figures().get("fd"), model + " vs " + floor);
        assertTrue(floor.figures().get("accuracy") > 0.85, floor.toString());
        assertTrue(model.figures().get("accuracy") < 0.5, model.toString());

        JsonNode json = Json.read(model.file());
        assertEquals(N, json.path("n").asInt());
        assertEquals(3, json.path("steps").asInt());
        assertEquals("ddim", json.path("sampler").asText());
        assertEquals(1, json.path("seed").asInt());
        assertEquals("fashion-mnist", json.path("feature_network").asText());
        assertEquals(64, json.path("feature_network_sha256").asText().length());
        assertTrue(Files.isRegularFile(model.file().resolveSibling("features.npz")));
        assertTrue(Files.list(work.resolve("eval-cache")).anyMatch(p -> p.toString().endsWith(".bin.gz")),
                "the reference features are cached");

        MdmException few = assertThrows(MdmException.class, () -> eval.evaluate(new CheckpointEvalRequest(out, 1, null,
                null, null, 0, true, List.of("fd"), null, false, 0), p -> { }));
        assertTrue(few.getMessage().contains("N = 1"), few.getMessage());
        MdmException metric = assertThrows(MdmException.class, () -> eval.evaluate(new CheckpointEvalRequest(out, 10,
                null, null, null, 0, true, List.of("fid2"), null, false, 0), p -> { }));
        assertTrue(metric.getMessage().contains("no metric named 'fid2'"), metric.getMessage());
        MdmException network = assertThrows(MdmException.class, () -> eval.evaluate(new CheckpointEvalRequest(out, 10,
                null, null, null, 0, true, List.of("fd"), "inception", false, 0), p -> { }));
        assertTrue(network.getMessage().contains("Registered: fashion-mnist"), network.getMessage());
        MdmException huge = assertThrows(MdmException.class, () -> eval.evaluate(new CheckpointEvalRequest(out,
                2_000_000_000, null, null, null, 0, true, List.of("fd"), null, false, 0), p -> { }));
        assertTrue(huge.getMessage().contains("GB"), huge.getMessage());
    }
}
