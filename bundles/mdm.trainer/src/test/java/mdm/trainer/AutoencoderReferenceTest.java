package mdm.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import mdm.api.MdmException;
import mdm.api.generate.GenerationRequest;
import mdm.api.generate.GenerationResult;
import mdm.api.train.Job;
import mdm.api.train.JobState;
import mdm.api.train.TrainRequest;
import mdm.core.config.Json;
import mdm.core.io.Safetensors;
import mdm.core.runtime.EngineRuntime;
import mdm.trainer.internal.GenerationService;
import mdm.trainer.internal.TrainingService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An autoencoder trained alone ({@code pipeline: autoencoder}) and a latent spec that references its
 * run ({@code latent.autoencoder_checkpoint}) through the trainer: the latent run starts from, and
 * keeps, exactly the autoencoder's EMA weights and samples without the reference; bad references
 * are refused before training, naming the field and the fix.
 */
class AutoencoderReferenceTest {
    static EngineRuntime runtime;

    @BeforeAll
    static void start() {
        runtime = EngineRuntime.standalone();
    }

    @AfterAll
    static void stop() {
        runtime.close();
    }

    @Test
    void aLatentSpecTrainsOnAnAutoencoderTrainedAlone(@TempDir Path work) throws Exception {
        Path autoencoderSpec = resource("/tiny-autoencoder.yaml");
        Path latentSpec = resource("/tiny-latent-pretrained.yaml");
        try (TrainingService trainer = new TrainingService(TestComponents.registry(runtime), runtime, work)) {
            // the reference is checked before anything trains: no autoencoder run yet
            String missing = message(() -> trainer.start(new TrainRequest(latentSpec, null, null, false)));
            assertTrue(missing.contains("latent.autoencoder_checkpoint") && missing.contains("does not exist")
                    && missing.contains("pipeline: autoencoder"), missing);

            Path autoencoderRun = finish(trainer.start(new TrainRequest(autoencoderSpec, null, null, false)));
            assertEquals(work.resolve("runs/tiny-autoencoder").toAbsolutePath(), autoencoderRun.toAbsolutePath());
            assertEquals(3, CascadeTrainingTest.losses(autoencoderRun).size());
            assertFalse(Files.exists(autoencoderRun.resolve("samples/final.png")), "an autoencoder has nothing to sample");
            Path autoencoderCheckpoint = autoencoderRun.resolve("checkpoints/step-00000003");
            JsonNode record = Json.read(autoencoderCheckpoint.resolve("experiment.json"));
            assertEquals("latent", record.path("backbone").asText());
            assertEquals(0, record.path("model").path("stage").asInt(), "the autoencoder alone: " + record.path("model"));

            Path latentRun = finish(trainer.start(new TrainRequest(latentSpec, null, null, false)));
            List<JsonNode> steps = CascadeTrainingTest.losses(latentRun);
            assertEquals(2, steps.size(), "only the diffusion trains");
            assertTrue(steps.get(0).path("levels").has("4"), "4×4 latents: " + steps.get(0));
            assertTrue(Files.readString(latentRun.resolve("events.log")).contains("autoencoder from " + autoencoderCheckpoint));
            try (NDManager m = runtime.newManager()) {
                Map<String, NDArray> trained = Safetensors.read(autoencoderCheckpoint.resolve("ema.safetensors"), m);
                Map<String, NDArray> used = Safetensors.read(latentRun.resolve("checkpoints/step-00000002/model.safetensors"), m);
                for (Map.Entry<String, NDArray> e : trained.entrySet()) {
                    NDArray w = used.get("autoencoder." + e.getKey());
                    assertTrue(w != null, "the latent run holds " + e.getKey());
                    assertArrayEquals(e.getValue().toFloatArray(), w.toFloatArray(), 0f,
                            "the autoencoder's EMA weights, frozen: " + e.getKey());
                }
            }
            // the run records the resolved autoencoder, so sampling it needs only its own checkpoint
            JsonNode latentRecord = Json.read(latentRun.resolve("checkpoints/step-00000002/experiment.json"));
            assertEquals(autoencoderCheckpoint.toAbsolutePath().normalize().toString(),
                    latentRecord.path("spec").path("latent").path("autoencoder_checkpoint").asText());
            assertEquals(4, latentRecord.path("spec").path("latent").path("autoencoder").path("latent_channels").asInt());
            deleteTree(autoencoderRun);
            GenerationResult r = new GenerationService(TestComponents.registry(runtime), runtime).generate(
                    new GenerationRequest(latentRun, List.of(), List.of("red"), 2, 2, null, 1.0, 3, true,
                            work.resolve("samples"), null));
            assertTrue(Files.isRegularFile(r.grids().get(0)));
        }
    }

    @Test
    void badReferencesAreRefusedBeforeTraining(@TempDir Path work) throws Exception {
        String latent = Files.readString(resource("/tiny-latent-pretrained.yaml"));
        try (TrainingService trainer = new TrainingService(TestComponents.registry(runtime), runtime, work)) {
            finish(trainer.start(new TrainRequest(resource("/tiny-autoencoder.yaml"), null, null, false)));
            // not an autoencoder: an MDM run
            Path mdmRun = finish(trainer.start(new TrainRequest(resource("/tiny-nested.yaml"), null, null, false)));
            String m = message(() -> trainer.validate(write(work, "mdm.yaml",
                    latent.replace("runs/tiny-autoencoder", mdmRun.toString()))));
            assertTrue(m.contains("latent.autoencoder_checkpoint") && m.contains("not of an autoencoder")
                    && m.contains("pipeline: autoencoder"), m);
            // a run folder without checkpoints
            Files.createDirectories(work.resolve("runs/empty"));
            m = message(() -> trainer.validate(write(work, "empty.yaml", latent.replace("runs/tiny-autoencoder", "runs/empty"))));
            assertTrue(m.contains("latent.autoencoder_checkpoint") && m.contains("holds no checkpoint"), m);
            // the spec's autoencoder disagrees with the trained one
            m = message(() -> trainer.validate(write(work, "channels.yaml", latent.replace(
                    "autoencoder_checkpoint: runs/tiny-autoencoder",
                    "autoencoder_checkpoint: runs/tiny-autoencoder\n  autoencoder: {latent_channels: 8, factor: 4}"))));
            assertTrue(m.contains("latent.autoencoder does not match") && m.contains("latent_channels is 8 in the spec but 4")
                    && m.contains("Remove latent.autoencoder"), m);
            // what agrees is accepted (4 = 4.0)
            trainer.validate(write(work, "agrees.yaml", latent.replace("autoencoder_checkpoint: runs/tiny-autoencoder",
                    "autoencoder_checkpoint: runs/tiny-autoencoder\n  autoencoder: {latent_channels: 4.0, loss: L1}")));
            // another image size than the autoencoder's
            m = message(() -> trainer.validate(write(work, "size.yaml", latent.replace("image_size: 16", "image_size: 32"))));
            assertTrue(m.contains("latent.autoencoder_checkpoint") && m.contains("trained on 16² images")
                    && m.contains("32²"), m);
            // the autoencoder is given, so there is one stage
            m = message(() -> trainer.validate(write(work, "stages.yaml", latent.replace(
                    "  - {name: diffusion, steps: 2}", "  - {name: autoencoder, steps: 2}\n  - {name: diffusion, steps: 2}"))));
            assertTrue(m.contains("latent.autoencoder_checkpoint gives the autoencoder") && m.contains("give one stage"), m);
            // an autoencoder spec trains one network
            String ae = Files.readString(resource("/tiny-autoencoder.yaml"));
            m = message(() -> trainer.validate(write(work, "ae2.yaml", ae.replace("  - {name: autoencoder, steps: 3}",
                    "  - {name: a, steps: 3}\n  - {name: b, steps: 3}"))));
            assertTrue(m.contains("pipeline: autoencoder trains one network"), m);
            m = message(() -> trainer.validate(write(work, "ae3.yaml", ae.replace("latent:\n", "lattent:\n"))));
            assertTrue(m.contains("lattent") || m.contains("latent.autoencoder"), m);
        }
    }

    private static Path finish(Job job) throws InterruptedException {
        assertTrue(job.await(5, TimeUnit.MINUTES));
        assertEquals(JobState.COMPLETED, job.state(), job.reason().orElse(""));
        return job.output();
    }

    private static String message(org.junit.jupiter.api.function.Executable e) {
        return assertThrows(MdmException.class, e).getMessage();
    }

    private static Path write(Path dir, String name, String text) throws java.io.IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    private static Path resource(String name) throws Exception {
        return Path.of(AutoencoderReferenceTest.class.getResource(name).toURI());
    }

    private static void deleteTree(Path root) throws java.io.IOException {
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
