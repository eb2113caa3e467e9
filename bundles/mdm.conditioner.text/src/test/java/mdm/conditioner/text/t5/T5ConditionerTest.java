package mdm.conditioner.text.t5;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import mdm.api.MdmException;
import mdm.api.conditioning.Conditioner;
import mdm.api.data.CaptionEmbedding;
import mdm.api.data.DatasetInfo;
import mdm.api.data.EmbeddingOrigin;
import mdm.api.data.Sample;
import mdm.api.model.Conditioning;
import mdm.conditioner.text.CaptionTokenizer;
import mdm.conditioner.text.Vocabulary;
import mdm.conditioner.text.internal.LearnedTextConditionerFactory;
import mdm.conditioner.text.internal.T5ConditionerFactory;
import mdm.core.config.Json;
import mdm.core.runtime.EngineRuntime;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import mdm.core.fixtures.EngineExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The t5 component end to end: captions → reference tokens → tiny T5 → masked features. */
class T5ConditionerTest {
    private static final DatasetInfo CAPTIONED = new DatasetInfo("test", 32, 3, 1, List.of(), true, 10);
    private static EngineRuntime runtime;

    @RegisterExtension
    static final EngineExtension ENGINE = new EngineExtension(r -> runtime = r);
    @TempDir
    static Path dir;
    private static TinyT5 model;

    @BeforeAll
    static void start() throws Exception {
        model = new TinyT5("gated-gelu", 5, 32100);
        model.write(dir, false);
    }

    private static JsonNode options(String extra) {
        return Json.parse("{\"model_dir\": \"" + dir.toAbsolutePath() + "\", \"max_token_length\": 12" + extra + "}");
    }

    private static List<Sample> captions(String... texts) {
        List<Sample> out = new ArrayList<>();
        for (int i = 0; i < texts.length; i++) {
            out.add(new Sample(null, 0, 0, 0, 0, -1, texts[i], "s" + i));
        }
        return out;
    }

    @Test
    void encodesCaptionsLikeTheReferencePipeline() {
        T5ConditionerFactory factory = new T5ConditionerFactory(runtime);
        assertEquals(16, factory.featureDim(Json.options(options("")), CAPTIONED));
        CaptionTokenizer tokenizer = new CaptionTokenizer(Vocabulary.t5(), 512, 12);
        T5Reference ref = new T5Reference(model);
        String[] texts = {"a red circle", "a large blue striped square", ""};
        try (NDManager m = runtime.newManager(); Conditioner c = factory.create(Json.options(options("")), CAPTIONED, m, 0)) {
            for (boolean training : new boolean[] {false, true}) {
                Conditioning cond = c.encode(captions(texts), null, training, m);
                int len = 0;
                for (String t : texts) {
                    len = Math.max(len, Math.min(12, tokenizer.tokens(t, training).length));
                }
                assertEquals(new Shape(3, len, 16), cond.tokens().getShape());
                float[] got = cond.tokens().toFloatArray();
                float[] mask = cond.mask().toFloatArray();
                double err = 0;
                for (int i = 0; i < texts.length; i++) {
                    int[] ids = tokenizer.tokens(texts[i], training);
                    int n = Math.min(ids.length, len);
                    int[] padded = Arrays.copyOf(Arrays.copyOf(ids, n), len);
                    boolean[] keys = new boolean[len];
                    for (int j = 0; j < len; j++) {
                        keys[j] = padded[j] != 0;
                        assertEquals(keys[j] ? 1f : 0f, mask[i * len + j]);
                    }
                    double[][] expected = ref.encode(padded, keys);
                    for (int j = 0; j < len; j++) {
                        for (int d = 0; d < 16; d++) {
                            float v = got[(i * len + j) * 16 + d];
                            if (keys[j]) {
                                err = Math.max(err, Math.abs(v - expected[j][d]));
                            } else {
                                assertEquals(0f, v, 0f, "pad rows are exactly zero (±0, as the reference's multiplication by the mask gives)");
                            }
                        }
                    }
                }
                assertTrue(err < 2e-5, "error " + err);
            }
        }
    }

    @Test
    void unconditionalIsTheEmptyCaptionAndPadsWithTheConditionalHalf() {
        T5ConditionerFactory factory = new T5ConditionerFactory(runtime);
        try (NDManager m = runtime.newManager(); Conditioner c = factory.create(Json.options(options("")), CAPTIONED, m, 0)) {
            Conditioning u = c.unconditional(2, m);
            assertEquals(new Shape(2, 2, 16), u.tokens().getShape()); // ▁ </s>
            // guidance batch as the reference demo builds it: [negative; prompt] tokenised together
            List<Sample> doubled = captions("", "", "a red circle", "a blue square");
            Conditioning g = c.encode(doubled, new boolean[] {true, true, false, false}, false, m);
            long len = g.tokens().getShape().get(1);
            assertTrue(len > 2);
            float[] uRows = u.tokens().toFloatArray();
            float[] gRows = g.tokens().get("0:2, 0:2, :").toFloatArray();
            for (int i = 0; i < uRows.length; i++) {
                assertEquals(uRows[i], gRows[i], 1e-5);
            }
            assertEquals(0f, g.tokens().get("0:2, 2:, :").abs().sum().getFloat());
        }
    }

    @Test
    void cachedEmbeddingsEqualFreshOnes() {
        T5ConditionerFactory factory = new T5ConditionerFactory(runtime);
        try (NDManager m = runtime.newManager();
             Conditioner plain = factory.create(Json.options(options("")), CAPTIONED, m, 0);
             Conditioner cached = factory.create(Json.options(options(", \"embedding_cache_mb\": 4")), CAPTIONED, m, 0)) {
            List<Sample> batch = captions("a red circle", "a green triangle at the bottom", "a red circle");
            float[] expected = plain.encode(batch, null, true, m).tokens().toFloatArray();
            float[] first = cached.encode(batch, null, true, m).tokens().toFloatArray();
            float[] second = cached.encode(batch, null, true, m).tokens().toFloatArray();
            assertArrayEquals(first, second);
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], first[i], 1e-5);
            }
            var cache = ((T5Conditioner) cached).cache();
            assertEquals(2, cache.size());
            assertTrue(cache.hits() >= 3, "hits " + cache.hits());
        }
    }

    /**
     * Precomputed rows (what the caption-embedding job stores) stand in for encoding: the same batch, padded the
     * same way, within float rounding; dropped samples still get the unconditional input; an embedding of
     * other options is refused naming both sides; learned-text offers no origin.
     */
    @Test
    void precomputedEmbeddingsEqualEncodingAndDropoutStillApplies() {
        T5ConditionerFactory factory = new T5ConditionerFactory(runtime);
        try (NDManager m = runtime.newManager();
             Conditioner c = factory.create(Json.options(options("")), CAPTIONED, m, 0);
             Conditioner other = factory.create(Json.options(options(", \"max_caption_length\": 300")), CAPTIONED, m, 0)) {
            EmbeddingOrigin origin = c.embeddingOrigin(true);
            assertEquals("t5", origin.conditioner());
            assertEquals(EmbeddingOrigin.TRAINING, origin.tokenization());
            assertEquals(origin.fingerprint(), c.embeddingOrigin(false).fingerprint());
            assertNotEquals(origin.fingerprint(), other.embeddingOrigin(true).fingerprint(), "options are in the fingerprint");
            List<Sample> batch = captions("a red circle", "a large blue striped square in the corner", "a green triangle");
            // each caption embedded alone, as the job does shard by shard
            List<Sample> carrying = new ArrayList<>();
            for (Sample s : batch) {
                List<CaptionEmbedding> row = rows(c.encode(List.of(s), null, true, m), origin);
                carrying.add(s.withCaptionEmbedding(row.get(0)));
            }
            // one sample without an embedding: encoded on the fly in the same batch
            carrying.set(2, batch.get(2));
            for (boolean[] drop : new boolean[][] {null, {false, true, false}, {true, false, true}}) {
                Conditioning expected = c.encode(batch, drop, true, m);
                Conditioning got = c.encode(carrying, drop, true, m);
                assertEquals(expected.tokens().getShape(), got.tokens().getShape());
                assertArrayEquals(expected.mask().toFloatArray(), got.mask().toFloatArray());
                float[] e = expected.tokens().toFloatArray();
                float[] g = got.tokens().toFloatArray();
                for (int i = 0; i < e.length; i++) {
                    assertEquals(e[i], g[i], 1e-6, "value " + i + " with dropout " + Arrays.toString(drop));
                }
            }
            MdmException mismatch = assertThrows(MdmException.class, () -> other.encode(carrying, null, true, m));
            assertTrue(mismatch.getMessage().contains("'s0'") && mismatch.getMessage().contains(origin.describe())
                    && mismatch.getMessage().contains(other.embeddingOrigin(true).describe())
                    && mismatch.getMessage().contains("embeddings: ignore"), mismatch.getMessage());
            MdmException mode = assertThrows(MdmException.class, () -> c.encode(carrying, null, false, m));
            assertTrue(mode.getMessage().contains("inference tokenisation"), mode.getMessage());
        }
        try (NDManager m = runtime.newManager();
             Conditioner learned = new LearnedTextConditionerFactory(runtime).create(Json.parseOptions("{\"dim\": 8, \"layers\": 1, \"heads\": 2}"), CAPTIONED, m, 0)) {
            assertNull(learned.embeddingOrigin(true), "a trainable conditioner's embeddings cannot be precomputed");
        }
    }

    @Test
    void trainingRefusesWhatTheReferenceReaderDrops() {
        T5ConditionerFactory factory = new T5ConditionerFactory(runtime);
        try (NDManager m = runtime.newManager(); Conditioner c = factory.create(Json.options(options("")), CAPTIONED, m, 0)) {
            List<Sample> batch = captions("a red circle", "a very long caption that has far more than twelve tokens in it");
            assertTrue(c.acceptsForTraining(batch.get(0)));
            assertFalse(c.acceptsForTraining(batch.get(1)));
            MdmException e = assertThrows(MdmException.class, () -> c.encode(batch, null, true, m));
            assertTrue(e.getMessage().contains("'s1'") && e.getMessage().contains("acceptsForTraining"), e.getMessage());
            // inference cuts instead
            assertEquals(12, c.encode(batch, null, false, m).tokens().getShape().get(1));
        }
    }

    @Test
    void badOptionsAndDataAreExplained() {
        T5ConditionerFactory factory = new T5ConditionerFactory(runtime);
        MdmException typo = assertThrows(MdmException.class, () -> factory.featureDim(
                Json.parseOptions("{\"model_dri\": \"x\"}"), CAPTIONED));
        assertTrue(typo.getMessage().contains("did you mean 'model_dir'"), typo.getMessage());
        DatasetInfo labelled = new DatasetInfo("fashion-mnist", 32, 1, 1, List.of("a", "b"), false, 10);
        MdmException noCaptions = assertThrows(MdmException.class, () -> factory.featureDim(Json.options(options("")), labelled));
        assertTrue(noCaptions.getMessage().contains("class conditioner"), noCaptions.getMessage());
        MdmException noModel = assertThrows(MdmException.class, () -> factory.featureDim(Json.parseOptions("{}"), CAPTIONED));
        assertTrue(noModel.getMessage().contains("models/flan-t5-xl"), noModel.getMessage());
    }

    private static List<CaptionEmbedding> rows(mdm.api.model.Conditioning c, EmbeddingOrigin origin) {
        return CaptionEmbedding.rows(c.tokens(), c.mask(), origin);
    }
}
