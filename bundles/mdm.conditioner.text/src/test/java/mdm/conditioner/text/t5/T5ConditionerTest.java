package mdm.conditioner.text.t5;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import mdm.api.data.DatasetInfo;
import mdm.api.data.Sample;
import mdm.api.model.Conditioning;
import mdm.conditioner.text.CaptionTokenizer;
import mdm.conditioner.text.Vocabulary;
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
}
