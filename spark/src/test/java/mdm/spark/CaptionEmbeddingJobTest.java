package mdm.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import mdm.api.MdmException;
import mdm.api.conditioning.Conditioner;
import mdm.api.data.CaptionEmbedding;
import mdm.api.data.DatasetInfo;
import mdm.api.data.Sample;
import mdm.api.data.SampleStream;
import mdm.api.data.StreamPosition;
import mdm.api.model.Conditioning;
import mdm.conditioner.text.internal.T5ConditionerFactory;
import mdm.conditioner.text.t5.TinyT5;
import mdm.core.config.Json;
import mdm.core.runtime.EngineRuntime;
import mdm.data.tsvtar.CaptionEmbeddingSidecar;
import mdm.data.tsvtar.TsvTarDataset;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The caption-embedding job in Spark local mode with two task slots: a tsv-tar data set of three shards written
 * here (with a blank caption and one over the training token limit), a tiny random T5 in Hugging Face's layout;
 * every sidecar row equals the conditioner's own embedding of that caption computed in this JVM (≤ 1e-6; the job
 * batches captions differently), the tsv-tar data set gives them to its samples, a re-run keeps complete
 * sidecars and redoes an edited shard's, and a trainable conditioner is refused.
 */
class CaptionEmbeddingJobTest {
    private static final String[][] CAPTIONS = {
        {"a red circle", "a small striped blue square at the left", "", "a green triangle"},
        {"a yellow star on a grey background", "two circles", "one very long caption with many many words that go on and "
                + "on well past the sixteen tokens the limit allows"},
        {"a plain purple square", "a large red circle at the bottom", "a tiny dot", "three shapes", "a blue ring"},
    };

    @Test
    void sidecarsHoldTheConditionersOwnEmbeddingsAndFeedTheDataSet(@TempDir Path work) throws Exception {
        EngineRuntime runtime = Workers.runtime();
        new TinyT5("gated-gelu", 3, 32100).write(work.resolve("models/tiny-t5"), false);
        String options = "{\"model_dir\": \"models/tiny-t5\", \"max_token_length\": 16}";
        Path index = dataSet(work.resolve("data"));
        EmbedJob job = new EmbedJob(index.toString(), "t5", options, true, 3, work.toString(), false);
        SparkConf conf = new SparkConf().setMaster("local[2]").setAppName("mdm-embed-test")
                .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1")
                .set("spark.ui.showConsoleProgress", "false");
        CaptionEmbeddingJob.Summary first;
        CaptionEmbeddingJob.Summary again;
        CaptionEmbeddingJob.Summary edited;
        long t0 = System.nanoTime();
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
            first = CaptionEmbeddingJob.run(sc, job, 2, System.out::println);
            assertEquals(3, first.written());
            assertEquals(10, first.embedded());
            assertEquals(2, first.empty(), "the blank caption and the one over max_token_length");
            List<FileTime> times = new ArrayList<>();
            for (int s = 0; s < 3; s++) {
                times.add(Files.getLastModifiedTime(CaptionEmbeddingSidecar.of(shard(work, s))));
            }
            again = CaptionEmbeddingJob.run(sc, job, 2, p -> { });
            assertEquals(0, again.written());
            assertEquals(3, again.skipped());
            for (int s = 0; s < 3; s++) {
                assertEquals(times.get(s), Files.getLastModifiedTime(CaptionEmbeddingSidecar.of(shard(work, s))), "kept");
            }
            Files.writeString(shard(work, 1), Files.readString(shard(work, 1)).replace("two circles", "two green circles"));
            edited = CaptionEmbeddingJob.run(sc, job, 2, p -> { });
            assertEquals(1, edited.written(), "only the edited shard is embedded again");
            assertEquals(2, edited.skipped());

            EmbedJob learned = new EmbedJob(index.toString(), "learned-text", "{\"dim\": 8, \"layers\": 1, \"heads\": 2}",
                    true, 3, work.toString(), false);
            MdmException refused = assertThrows(MdmException.class, () -> CaptionEmbeddingJob.run(sc, learned, 2, p -> { }));
            assertTrue(refused.getMessage().contains("cannot precompute") && refused.getMessage().contains("trained with the backbone"),
                    refused.getMessage());
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        int loaded = CaptionEmbeddingJob.release(job);
        System.out.printf("caption-embedding job, local[2]: %d shards, %d captions in %.2f s; re-run %.2f s; "
                + "edited shard %.2f s; %d conditioners loaded; %.1f s with Spark%n", first.shards().size(), first.embedded(),
                first.seconds(), again.seconds(), edited.seconds(), loaded, secs);
        assertTrue(loaded >= 1 && loaded <= 3, "one conditioner per task slot (and the driver's check): " + loaded);

        // every row against the conditioner's own embedding computed here: in the job's batches (3 accepted captions
        // of a shard at a time) bit for bit; alone in a batch padded to a longer row, to float rounding
        double worst = 0;
        double largest = 0;
        DatasetInfo captioned = new DatasetInfo("tsv-tar", 8, 3, 1, List.of(), true, 0);
        try (NDManager m = runtime.newManager();
             Conditioner t5 = new T5ConditionerFactory(new TestRuntime(runtime, work)).create(Json.parseOptions(options), captioned, m, 0)) {
            for (int s = 0; s < 3; s++) {
                List<String> captions = TsvTarDataset.captionShards(shard(work, s)).get(0).captions();
                CaptionEmbeddingSidecar sidecar = CaptionEmbeddingSidecar.open(shard(work, s), captions);
                assertEquals(t5.embeddingOrigin(true), sidecar.origin());
                List<Integer> accepted = new ArrayList<>();
                for (int r = 0; r < captions.size(); r++) {
                    if (captions.get(r).isBlank() || !t5.acceptsForTraining(Sample.condition(-1, captions.get(r)))) {
                        assertNull(sidecar.row(r), "row " + r + " of shard " + s + " has no embedding");
                    } else {
                        accepted.add(r);
                    }
                }
                for (int from = 0; from < accepted.size(); from += 3) {
                    List<Integer> part = accepted.subList(from, Math.min(accepted.size(), from + 3));
                    Conditioning c = t5.encode(part.stream().map(r -> Sample.condition(-1, captions.get(r))).toList(), null, true, m);
                    List<CaptionEmbedding> expected = CaptionEmbedding.rows(c.tokens(), c.mask(), sidecar.origin());
                    for (int k = 0; k < part.size(); k++) {
                        CaptionEmbedding got = sidecar.row(part.get(k));
                        assertNotNull(got);
                        assertArrayEquals(expected.get(k).mask(), got.mask());
                        assertArrayEquals(expected.get(k).features(), got.features(), "shard " + s + " row " + part.get(k));
                    }
                }
                for (int r : accepted) {
                    Conditioning c = t5.encode(List.of(Sample.condition(-1, captions.get(r)),
                            Sample.condition(-1, "pad it out to a much longer batch row than any caption here")), null, true, m);
                    float[] alone = CaptionEmbedding.rows(c.tokens(), c.mask(), sidecar.origin()).get(0).features();
                    float[] got = sidecar.row(r).features();
                    assertEquals(alone.length, got.length);
                    for (int i = 0; i < got.length; i++) {
                        worst = Math.max(worst, Math.abs(alone[i] - got[i]));
                        largest = Math.max(largest, Math.abs(got[i]));
                    }
                }
            }
        }
        System.out.printf("sidecar rows vs the conditioner in this JVM: identical in the job's batches; padded otherwise: "
                + "max |difference| = %.3g (values up to %.2f)%n", worst, largest);
        assertTrue(worst <= 1e-5, "max difference " + worst);

        // the tsv-tar data set gives each sample its sidecar row
        TsvTarDataset dataset = new TsvTarDataset();
        try (SampleStream stream = dataset.open(Json.parseOptions("{path: '" + index + "', image_size: 8, embeddings: require, "
                + "loader: {shuffle: false}}"), 0, StreamPosition.START)) {
            for (int i = 0; i < 5; i++) {
                Sample x = stream.next();
                if (x.caption().isBlank()) {
                    continue;
                }
                assertNotNull(x.captionEmbedding(), x.caption());
                assertEquals(t5Origin(work, options, runtime), x.captionEmbedding().origin());
            }
        }
    }

    private static Object t5Origin(Path work, String options, EngineRuntime runtime) {
        try (NDManager m = runtime.newManager();
             Conditioner t5 = new T5ConditionerFactory(new TestRuntime(runtime, work)).create(Json.parseOptions(options),
                     new DatasetInfo("tsv-tar", 8, 3, 1, List.of(), true, 0), m, 0)) {
            return t5.embeddingOrigin(true);
        }
    }

    private static Path shard(Path work, int s) {
        return work.resolve("data/shards/shard_" + s + ".tsv");
    }

    /** Three shard TSVs over one tar of 8² PNGs, listed by an index. */
    private static Path dataSet(Path folder) throws Exception {
        Path shards = Files.createDirectories(folder.resolve("shards"));
        try (OutputStream file = Files.newOutputStream(shards.resolve("images.tar"));
             TarArchiveOutputStream tar = new TarArchiveOutputStream(file)) {
            for (int i = 0; i < 5; i++) {
                BufferedImage image = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
                image.setRGB(i, i, 0xff0000 >> (i * 4));
                ByteArrayOutputStream png = new ByteArrayOutputStream();
                ImageIO.write(image, "png", png);
                TarArchiveEntry entry = new TarArchiveEntry(i + ".png");
                entry.setSize(png.size());
                tar.putArchiveEntry(entry);
                tar.write(png.toByteArray());
                tar.closeArchiveEntry();
            }
        }
        StringBuilder index = new StringBuilder("filename\n");
        for (int s = 0; s < CAPTIONS.length; s++) {
            StringBuilder tsv = new StringBuilder("tar\tfile\tcaption\n");
            for (int r = 0; r < CAPTIONS[s].length; r++) {
                tsv.append("images.tar\t").append(r % 5).append(".png\t").append(CAPTIONS[s][r]).append('\n');
            }
            Files.writeString(shards.resolve("shard_" + s + ".tsv"), tsv);
            index.append("shards/shard_").append(s).append(".tsv\n");
        }
        return Files.writeString(folder.resolve("index.tsv"), index);
    }

    /** The test's engine with {@code work} as the folder relative option paths resolve against. */
    private record TestRuntime(EngineRuntime engine, Path work) implements mdm.api.DjlRuntime {
        public ai.djl.Device device() {
            return engine.device();
        }

        public List<ai.djl.Device> devices() {
            return engine.devices();
        }

        public NDManager newManager() {
            return engine.newManager();
        }

        public NDManager newManager(ai.djl.Device device) {
            return engine.newManager(device);
        }

        public String djlVersion() {
            return engine.djlVersion();
        }

        public String engineVersion() {
            return engine.engineVersion();
        }

        public Path workDirectory() {
            return work;
        }
    }
}
