package mdm.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mdm.api.MdmException;
import mdm.api.data.Sample;
import mdm.api.data.SampleStream;
import mdm.api.data.StreamPosition;
import mdm.api.generate.GenerationRequest;
import mdm.api.generate.GenerationResult;
import mdm.api.model.LatentBackbone;
import mdm.api.train.Job;
import mdm.api.train.JobState;
import mdm.api.train.Progress;
import mdm.api.train.ProgressListener;
import mdm.api.train.TrainRequest;
import mdm.baseline.latent.internal.LatentComponent;
import mdm.core.config.Json;
import mdm.core.data.Batches;
import mdm.core.io.Safetensors;
import mdm.core.io.StateDicts;
import mdm.core.random.HostRandom;
import mdm.core.runtime.EngineRuntime;
import mdm.core.runtime.GradMode;
import mdm.data.shapes.ShapesDataset;
import mdm.trainer.internal.GenerationService;
import mdm.trainer.internal.TrainingService;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import mdm.core.fixtures.EngineExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Latent diffusion through the trainer and the generator: the two stages, the scale factor, resume, bad input. */
class LatentTrainingTest {
    static EngineRuntime runtime;

    @RegisterExtension
    static final EngineExtension ENGINE = new EngineExtension(r -> runtime = r);
    static Path spec;

    @BeforeAll
    static void start() throws Exception {
        spec = Path.of(LatentTrainingTest.class.getResource("/tiny-latent.yaml").toURI());
    }

    @Test
    void trainsTheAutoencoderThenTheLatentDenoiserAndSamplesImages(@TempDir Path work) throws Exception {
        Path out;
        try (TrainingService trainer = new TrainingService(TestComponents.registry(runtime), runtime, work)) {
            Job job = trainer.start(new TrainRequest(spec, null, null, false));
            assertTrue(job.await(5, TimeUnit.MINUTES));
            assertEquals(JobState.COMPLETED, job.state(), job.reason().orElse(""));
            out = job.output();
        }
        List<JsonNode> steps = CascadeTrainingTest.losses(out);
        assertEquals(6, steps.size());
        assertTrue(steps.get(0).path("levels").has("16"), "stage 1 trains the autoencoder on 16² images: " + steps.get(0));
        assertTrue(steps.get(5).path("levels").has("4"), "stage 2 denoises 4×4 latents: " + steps.get(5));
        assertTrue(Files.readString(out.resolve("metrics.jsonl")).contains("\"samples\""), "a final grid");
        assertTrue(Files.isRegularFile(out.resolve("samples/final.png")));

        Path last = out.resolve("checkpoints/step-00000006");
        GradMode.disable();
        LatentComponent factory = new LatentComponent();
        try (NDManager m = runtime.newManager();
             LatentBackbone latent = (LatentBackbone) factory.create(
                     factory.parseConfig(Json.options(Json.read(last.resolve("experiment.json")).get("model"))), m, 0)) {
            var weights = Safetensors.read(last.resolve("ema.safetensors"), m);
            assertTrue(weights.containsKey("scale_factor"), "the checkpoint keeps the scale factor");
            assertTrue(weights.keySet().stream().anyMatch(k -> k.startsWith("autoencoder.encoder.")), "and the autoencoder");
            StateDicts.loadStrict(weights, latent.parameters());
            assertTrue(latent.scaleMeasured());
            // the factor was measured on the first 256 training images; on 512 others the latents have unit variance
            List<Sample> other = new ArrayList<>();
            try (SampleStream s = new ShapesDataset().open(Json.options(Json.parse(
                    "{image_size: 16, textures: [plain], two_shape_fraction: 0, class_label: colour}")), 99, StreamPosition.START)) {
                for (int i = 0; i < 512; i++) {
                    other.add(s.next());
                }
            }
            NDArray z = latent.encode(Batches.pixels(other, m), new HostRandom(4));
            double std = Math.sqrt(z.sub(z.mean()).square().mean().getFloat());
            System.out.printf("latent scale factor %.4f: std of scaled latents of 512 held-out images %.4f%n",
                    weights.get("scale_factor").getFloat(), std);
            assertEquals(1.0, std, 0.1, "scaled latents have unit variance");
            NDArray decoded = latent.decode(z.get("0:2"));
            assertEquals(new ai.djl.ndarray.types.Shape(2, 3, 16, 16), decoded.getShape());
        }

        GenerationService generator = new GenerationService(TestComponents.registry(runtime), runtime);
        GenerationResult r = generator.generate(new GenerationRequest(out, List.of(), List.of("red", "blue"), 4, 3,
                null, null, 7, true, work.resolve("a"), null));
        GenerationResult again = generator.generate(new GenerationRequest(out, List.of(), List.of("red", "blue"), 4, 3,
                null, null, 7, true, work.resolve("b"), null));
        assertEquals(1, r.grids().size());
        assertArrayEquals(Files.readAllBytes(r.grids().get(0)), Files.readAllBytes(again.grids().get(0)),
                "the same seed gives the same images");
        assertEquals("level-16", r.images().get(0).getParent().getFileName().toString(),
                "decoded to 16² pixels, not 4×4 latents: " + r.images().get(0));

        // the autoencoder stage's checkpoint cannot be sampled, and says which one can
        // (typed, so that a study records its point as not measurable)
        MdmException e = assertThrows(mdm.api.NothingToSampleException.class, () -> generator.generate(new GenerationRequest(
                out.resolve("checkpoints/step-00000002"), List.of(), List.of("red"), 1, 2, null, null, 1, true,
                work.resolve("c"), null)));
        assertTrue(e.getMessage().contains("not a denoiser"), e.getMessage());
    }

    @Test
    void resumedLatentRunRepeatsTheUninterruptedLosses(@TempDir Path work) throws Exception {
        try (TrainingService trainer = new TrainingService(TestComponents.registry(runtime), runtime, work)) {
            Job straight = trainer.start(new TrainRequest(spec, null, work.resolve("straight"), false));
            assertTrue(straight.await(5, TimeUnit.MINUTES));
            assertEquals(JobState.COMPLETED, straight.state(), straight.reason().orElse(""));
            for (int stopAt : new int[] {2, 5}) { // in the autoencoder stage and in the diffusion stage
                Path dir = work.resolve("interrupted-" + stopAt);
                Job first = trainer.start(new TrainRequest(spec, null, dir, false));
                first.addListener(new ProgressListener() {
                    @Override
                    public void onProgress(Job job, Progress p) {
                        if (p.step() == stopAt && p.message() == null) {
                            first.stop();
                        }
                    }
                });
                assertTrue(first.await(5, TimeUnit.MINUTES));
                assertEquals(JobState.STOPPED, first.state());
                Job resumed = trainer.start(new TrainRequest(spec, null, dir, true));
                assertTrue(resumed.await(5, TimeUnit.MINUTES));
                assertEquals(JobState.COMPLETED, resumed.state(), resumed.reason().orElse(""));
                assertEquals(CascadeTrainingTest.losses(straight.output()).stream().map(n -> n.path("loss").asDouble()).toList(),
                        CascadeTrainingTest.losses(resumed.output()).stream().map(n -> n.path("loss").asDouble()).toList(),
                        "stopped at step " + stopAt);
            }
        }
    }

    @Test
    void badLatentSpecsAreRefusedBeforeTraining(@TempDir Path work) throws IOException {
        String text = Files.readString(spec);
        try (TrainingService trainer = new TrainingService(TestComponents.registry(runtime), runtime, work)) {
            assertMessage(() -> trainer.validate(write(work, "factor.yaml", text.replace("factor: 4", "factor: 3"))),
                    "use a power of two");
            assertMessage(() -> trainer.validate(write(work, "big.yaml", text.replace("factor: 4", "factor: 32")
                    .replace("channels: [16, 16, 16]", "channels: [16, 16, 16, 16, 16, 16]"))), "divides the image size");
            assertMessage(() -> trainer.validate(write(work, "deep.yaml", text.replace("resolution_channels: [16, 32]",
                    "resolution_channels: [16, 32, 32, 32]").replace("num_resnets_per_resolution: [1, 1]",
                    "num_resnets_per_resolution: 1").replace("num_attention_layers: [0, 0]", "num_attention_layers: 0"))),
                    "the latent side must be divisible by 8");
            assertMessage(() -> trainer.validate(write(work, "stages.yaml", text.replace("  - {name: diffusion, steps: 3}\n", ""))),
                    "latent diffusion has 2 stages");
            assertMessage(() -> trainer.validate(write(work, "noae.yaml", text.replace("  autoencoder:", "  encoder:"))),
                    "needs a 'latent' section with its autoencoder");
            assertMessage(() -> trainer.validate(write(work, "typo.yaml", text.replace("kl_weight", "kl_wieght"))),
                    "did you mean 'kl_weight'");
            assertMessage(() -> trainer.validate(write(work, "mdm.yaml", text.replace("pipeline: latent", "pipeline: mdm"))),
                    "set pipeline: latent");
        }
    }

    private static void assertMessage(Runnable r, String part) {
        MdmException e = assertThrows(MdmException.class, r::run);
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }

    private static Path write(Path dir, String name, String text) {
        Path f = dir.resolve(name);
        try {
            Files.writeString(f, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return f;
    }
}
