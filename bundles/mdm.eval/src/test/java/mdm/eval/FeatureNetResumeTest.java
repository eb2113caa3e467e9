package mdm.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import mdm.core.config.Json;
import mdm.core.runtime.EngineRuntime;
import mdm.data.shapes.ShapesDataset;
import mdm.eval.featurenet.FeatureNetSpec;
import mdm.eval.featurenet.FeatureNetTrainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A feature-network training stopped after a kept state continues to the same weights as one never stopped. */
class FeatureNetResumeTest {
    static final String SPEC = """
            name: tiny-shapes
            seed: 5
            dataset: {name: shapes, image_size: 16, textures: [plain], two_shape_fraction: 0}
            test_samples: 16
            network: {input_size: 16, channels: 3, stages: [{width: 8, convs: 1}, {width: 8, convs: 1}], features: 8}
            heads: [{name: shape, words: [circle, square, triangle]}]
            training: {steps: 12, batch_size: 4, lr: 0.01, warmup_steps: 2, flip: true, save_every: 5}
            """;

    /** Stops the training by failing on its first "kept the training state" line. */
    static final class Stop extends RuntimeException {
    }

    @Test
    void stoppedAndRestartedGivesTheSameWeights(@TempDir Path dir) throws Exception {
        Path specFile = dir.resolve("tiny.yaml");
        Files.writeString(specFile, SPEC);
        FeatureNetSpec spec = FeatureNetSpec.read(specFile);
        JsonNode source = Json.read(specFile);
        try (EngineRuntime runtime = EngineRuntime.standalone(); var m = runtime.newManager()) {
            Path whole = new FeatureNetTrainer(m, line -> { }).train(spec, source, new ShapesDataset(), dir.resolve("a"));

            Path out = dir.resolve("b");
            Consumer<String> stopAtFirstState = line -> {
                if (line.startsWith("kept the training state")) {
                    throw new Stop();
                }
            };
            assertThrows(Stop.class, () -> new FeatureNetTrainer(m, stopAtFirstState).train(spec, source,
                    new ShapesDataset(), out));
            assertTrue(Files.isRegularFile(dir.resolve(".b-partial/state.json")), "state kept at step 5");
            assertFalse(Files.exists(out), "no finished network yet");

            List<String> log = new ArrayList<>();
            Path resumed = new FeatureNetTrainer(m, log::add).train(spec, source, new ShapesDataset(), out);
            assertTrue(log.stream().anyMatch(l -> l.startsWith("resuming from step 5/12")), log.toString());
            assertEquals(hash(whole), hash(resumed), "the same weights as the run never stopped");
            assertFalse(Files.exists(dir.resolve(".b-partial")), "the kept state is removed once the network is written");
        }
    }

    private static String hash(Path folder) {
        return Json.read(folder.resolve("featurenet.json")).path("weights_sha256").asText();
    }
}
