package mdm.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mdm.api.Components;
import mdm.api.Options;
import mdm.api.conditioning.Conditioner;
import mdm.api.data.CaptionEmbedding;
import mdm.api.data.DatasetInfo;
import mdm.api.data.DatasetProvider;
import mdm.api.data.EmbeddingOrigin;
import mdm.api.data.Sample;
import mdm.api.data.SampleStream;
import mdm.api.data.StreamPosition;
import mdm.api.train.Job;
import mdm.api.train.JobState;
import mdm.api.train.TrainRequest;
import mdm.conditioner.text.internal.T5ConditionerFactory;
import mdm.conditioner.text.t5.TinyT5;
import mdm.core.config.Json;
import mdm.core.fixtures.EngineExtension;
import mdm.core.runtime.EngineRuntime;
import mdm.data.shapes.ShapesDataset;
import mdm.trainer.internal.MapComponentRegistry;
import mdm.trainer.internal.TrainingService;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trainer on samples that carry precomputed caption embeddings (as the tsv-tar data set gives them from the
 * caption-embedding job's sidecars): the same losses as encoding the captions on the fly, for the same seed, with
 * and without condition dropout; the embeddings really are used (distorted ones change the loss); dropped samples
 * still get the unconditional input; an embedding of other conditioner options stops the run naming both sides.
 */
class PrecomputedCaptionEmbeddingTest {
    static EngineRuntime runtime;

    @RegisterExtension
    static final EngineExtension ENGINE = new EngineExtension(r -> runtime = r);
    @TempDir
    static Path t5;

    @BeforeAll
    static void writeModel() throws IOException {
        new TinyT5("gated-gelu", 11, 32100).write(t5, false);
    }

    @Test
    void precomputedEmbeddingsTrainLikeEncodingOnTheFly(@TempDir Path work) throws Exception {
        double[] onTheFly = losses(work, "fly", "shapes", 0.0, null);
        double[] precomputed = losses(work, "pre", "shapes-precomputed", 0.0, new Precomputing(32, false));
        assertClose(onTheFly, precomputed, "precomputed embeddings, no dropout");
        double[] distorted = losses(work, "distorted", "shapes-precomputed", 0.0, new Precomputing(32, true));
        double[] flyDropout = losses(work, "fly-drop", "shapes", 0.5, null);
        // steps 1 and 2 cannot tell (zero-initialised output layers: the conditioning reaches the loss from step 3 on)
        assertNotEquals(onTheFly[2], distorted[2], "the carried embeddings are what the model is conditioned on");
        assertNotEquals(onTheFly[2], flyDropout[2], "dropout 0.5 dropped some captions");
        double[] preDropout = losses(work, "pre-drop", "shapes-precomputed", 0.5, new Precomputing(32, false));
        assertClose(flyDropout, preDropout, "precomputed embeddings with dropout: dropped samples get the unconditional input");
    }

    @Test
    void embeddingsOfOtherOptionsStopTheRunNamingBothSides(@TempDir Path work) throws Exception {
        // made with max_token_length 24: another fingerprint than the run's conditioner (32)
        Precomputing other = new Precomputing(24, false);
        try (TrainingService trainer = new TrainingService(registry(other), runtime, work)) {
            Job job = trainer.start(new TrainRequest(spec(work, "mismatch", "shapes-precomputed", 0.0), null, null, false));
            assertTrue(job.await(5, TimeUnit.MINUTES));
            assertEquals(JobState.FAILED, job.state());
            String reason = job.reason().orElse("");
            assertTrue(reason.contains(other.origin.describe()) && reason.contains("this run's conditioner is t5")
                    && reason.contains("Re-run the caption-embedding job"), reason);

            // a trainable conditioner is never silently handed embeddings it cannot use
            Path spec = spec(work, "learned", "shapes-precomputed", 0.0);
            Files.writeString(spec, Files.readString(spec).replaceAll("conditioner: \\{name: t5[^}]*}",
                    "conditioner: {name: learned-text, dim: 16, layers: 1, heads: 2, max_token_length: 32}"));
            Job learned = trainer.start(new TrainRequest(spec, null, null, false));
            assertTrue(learned.await(5, TimeUnit.MINUTES));
            assertEquals(JobState.FAILED, learned.state());
            String why = learned.reason().orElse("");
            assertTrue(why.contains("conditioner 'learned-text' cannot use precomputed embeddings")
                    && why.contains("embeddings: ignore") && !why.contains("Re-run"), why);
        }
    }

    private static void assertClose(double[] expected, double[] got, String what) {
        assertEquals(expected.length, got.length, what);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], got[i], 1e-6 * Math.abs(expected[i]), what + ", step " + (i + 1));
        }
    }

    private double[] losses(Path work, String name, String dataset, double dropout, Precomputing precomputing) throws Exception {
        try (TrainingService trainer = new TrainingService(registry(precomputing), runtime, work)) {
            Job job = trainer.start(new TrainRequest(spec(work, name, dataset, dropout), null, work.resolve(name), false));
            assertTrue(job.await(5, TimeUnit.MINUTES));
            assertEquals(JobState.COMPLETED, job.state(), job.reason().orElse(""));
            // the final grid is drawn from held-out samples, encoded in the inference form whatever they carry
            assertTrue(Files.isRegularFile(job.output().resolve("samples/final.png")), "the final sample grid was written");
            List<Double> out = new ArrayList<>();
            for (String line : Files.readAllLines(job.output().resolve("metrics.jsonl"))) {
                JsonNode n = Json.parse(line);
                if (n.has("loss")) {
                    out.add(n.path("loss").asDouble());
                }
            }
            assertEquals(3, out.size());
            return out.stream().mapToDouble(Double::doubleValue).toArray();
        }
    }

    private static MapComponentRegistry registry(Precomputing precomputing) {
        MapComponentRegistry r = TestComponents.registry(runtime)
                .put(Components.CONDITIONER, "t5", new T5ConditionerFactory(runtime));
        return precomputing == null ? r : r.put(Components.DATASET, "shapes-precomputed", precomputing);
    }

    private static Path spec(Path work, String name, String dataset, double dropout) throws Exception {
        String tiny = Files.readString(Path.of(PrecomputedCaptionEmbeddingTest.class.getResource("/tiny-nested.yaml").toURI()));
        String text = tiny.replace("name: tiny", "name: " + name)
                .replace("conditioner: class", "conditioner: {name: t5, model_dir: \"" + t5.toAbsolutePath() + "\", max_token_length: 32}")
                .replace("dataset: {name: shapes, image_size: 16, textures: [plain], two_shape_fraction: 0, class_label: colour}",
                        "dataset: {name: " + dataset + ", image_size: 16, textures: [plain], two_shape_fraction: 0}")
                .replace("  no_use_residual: true", "  no_use_residual: true\n  condition_dropout: " + dropout)
                .replace("  - {name: \"8\", levels: 1, steps: 3}\n  - {name: \"16\", levels: 2, steps: 3, freeze_inner_steps: 1}",
                        "  - {name: \"16\", levels: 2, steps: 3}")
                .replace("sampling: {steps: 4, count: 4, guidance: 2.0}", "sampling: {steps: 2, count: 2, guidance: 2.0}")
                .replace("optimizer: {lr: 0.001, warmup_steps: 2}", "optimizer: {lr: 0.01, warmup_steps: 0}");
        assertTrue(text.contains("warmup_steps: 0") && text.contains("condition_dropout") && text.contains("levels: 2, steps: 3}")
                && text.contains("name: t5"), text);
        Path f = work.resolve(name + ".yaml");
        Files.writeString(f, text);
        return f;
    }

    /**
     * Shapes whose samples carry their caption's embedding, made in process by a {@code t5} conditioner of the
     * given max_token_length (each caption alone, as the Spark job embeds a shard); distorted: its features
     * shifted by one place.
     */
    private static final class Precomputing implements DatasetProvider {
        private final DatasetProvider shapes = new ShapesDataset();
        private final Conditioner conditioner;
        private final EmbeddingOrigin origin;
        private final boolean distort;

        Precomputing(int maxTokenLength, boolean distort) {
            Options options = Json.parseOptions("{\"model_dir\": \"" + t5.toAbsolutePath() + "\", \"max_token_length\": "
                    + maxTokenLength + "}");
            this.conditioner = new T5ConditionerFactory(runtime).create(options, null, runtime.newManager(), 0);
            this.origin = conditioner.embeddingOrigin(true);
            this.distort = distort;
        }

        @Override
        public DatasetInfo describe(Options options) {
            return shapes.describe(options);
        }

        @Override
        public SampleStream open(Options options, long seed, StreamPosition start) {
            SampleStream inner = shapes.open(options, seed, start);
            return new SampleStream() {
                @Override
                public Sample next() {
                    Sample s = inner.next();
                    try (NDManager m = runtime.newManager()) {
                        CaptionEmbedding e = rows(conditioner.encode(List.of(s), null, true, m), origin).get(0);
                        float[] f = e.features().clone();
                        if (distort) {
                            System.arraycopy(e.features(), 1, f, 0, f.length - 1);
                            f[f.length - 1] = e.features()[0];
                        }
                        return s.withCaptionEmbedding(new CaptionEmbedding(f, e.mask(), e.dim(), origin));
                    }
                }

                @Override
                public StreamPosition position() {
                    return inner.position();
                }

                @Override
                public void close() {
                    inner.close();
                }
            };
        }
    }

    private static List<CaptionEmbedding> rows(mdm.api.model.Conditioning c, EmbeddingOrigin origin) {
        return CaptionEmbedding.rows(c.tokens(), c.mask(), origin);
    }
}
