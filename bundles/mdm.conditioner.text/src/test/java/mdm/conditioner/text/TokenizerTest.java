package mdm.conditioner.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import mdm.api.MdmException;
import org.junit.jupiter.api.Test;

/** The reference's segmentation rules on a hand-made vocabulary, and its caption pipelines on t5.vocab. */
class TokenizerTest {
    /** ids: 0 pad, 1 eos, 2 unk, 3 space, 4 a, 5 b, 6 ab, 7 "▁a", 8 xyz, 9 aa. */
    private static final String TINY = String.join("\n",
            "<pad>\t0.0", "</s>\t0.0", "<unk>\t0.0", "\u2581\t-1.0", "a\t-1.0", "b\t-1.0", "ab\t-1.5",
            "\u2581a\t-1.2", "xyz\t-0.5", "aa\t-1.5") + "\n";

    private final CaptionTokenizer tiny = new CaptionTokenizer(
            Vocabulary.parse(TINY.getBytes(StandardCharsets.UTF_8), "tiny"), -1, -1);

    @Test
    void readsTheVocabularyLikeTheReference() {
        Vocabulary v = Vocabulary.read(TestData.data("t5.vocab"));
        assertEquals(32100, v.size());
        assertEquals(0, v.pad());
        assertEquals(1, v.eos());
        assertEquals(2, v.unk());
        assertEquals(" ", v.text(3));
        assertEquals(3, v.id(" "));
        assertEquals(2.01229, v.cost(3), 0);
        assertEquals(0.0, v.cost(0), 0);
        assertEquals(32099, v.id("<extra_id_0>"));
        assertEquals(v.size(), Vocabulary.t5().size());
    }

    @Test
    void takesTheCheapestSegmentation() {
        assertArrayEquals(new int[] {6}, tiny.segment("ab"));          // 1.5 < 1 + 1
        assertArrayEquals(new int[] {7, 5}, tiny.segment(" ab"));      // 1.2 + 1 < 1 + 1.5 < 1 + 1 + 1
    }

    @Test
    void equalCostsResolveLikeTheReferenceSearch() {
        // "aaa" = a+aa or aa+a (both 2.5); worked by hand through mlx-data's graph, its backward
        // renumbering and Dijkstra: the path through the cheaper first node (a) wins.
        assertArrayEquals(new int[] {4, 9}, tiny.segment("aaa"));
    }

    @Test
    void dropsUnknownBytesAndDeadPartialMatches() {
        assertArrayEquals(new int[] {4, 5}, tiny.segment("aQb"));
        // "xy" starts the piece xyz; Q ends every hypothesis, so x, y and Q all go
        var seg = tiny.segmentation("xyQa");
        assertArrayEquals(new int[] {4}, seg.ids());
        assertArrayEquals(new boolean[] {true, true, true, false}, seg.dropped());
        // the input ends inside a partial match: the tail goes
        assertArrayEquals(new int[] {4}, tiny.segment("axy"));
        assertArrayEquals(new int[0], tiny.segment("Q"));
        assertArrayEquals(new int[0], tiny.segment(""));
    }

    @Test
    void trainingAndInferenceFormsDifferAsInTheReference() {
        CaptionTokenizer t5 = new CaptionTokenizer(Vocabulary.t5(), 512, 128);
        // the empty caption: the demo's default negative prompt, ["▁", "</s>"]
        assertArrayEquals(new int[] {3, 1}, t5.inferenceTokens(""));
        // training adds a trailing space, i.e. an extra "▁" before </s>
        assertArrayEquals(new int[] {3, 3, 1}, t5.trainingTokens(""));
        int[] inference = t5.inferenceTokens("a red circle");
        int[] training = t5.trainingTokens("a red circle");
        assertEquals(inference.length + 1, training.length);
        assertArrayEquals(java.util.Arrays.copyOf(inference, inference.length - 1),
                java.util.Arrays.copyOf(training, inference.length - 1));
        assertEquals(3, training[training.length - 2]);
        assertEquals(1, training[training.length - 1]);
    }

    @Test
    void inferenceCutsTheCaptionToMaxCaptionLengthCharacters() {
        CaptionTokenizer t5 = new CaptionTokenizer(Vocabulary.t5(), 7, 128);
        assertArrayEquals(t5.inferenceTokens("café au"), t5.inferenceTokens("café au lait"));
    }

    @Test
    void trainingBatchesPadToTheLongestRow() {
        TokenBatch batch = tiny.batch(List.of(new int[] {4, 1}, new int[] {4, 5, 6, 1}), true);
        assertArrayEquals(new int[][] {{4, 1, 0, 0}, {4, 5, 6, 1}}, batch.ids());
        assertArrayEquals(new float[] {1, 1, 0, 0, 1, 1, 1, 1}, batch.mask());
    }

    @Test
    void inferenceBatchesAreCutAtMaxTokenLength() {
        CaptionTokenizer capped = new CaptionTokenizer(tiny.vocabulary(), -1, 3);
        TokenBatch batch = capped.batch(List.of(new int[] {4, 1}, new int[] {4, 5, 6, 5, 1}), false);
        assertArrayEquals(new int[][] {{4, 1, 0}, {4, 5, 6}}, batch.ids());
        // shorter batches stay at their longest row
        assertEquals(2, capped.batch(List.of(new int[] {4, 1}), false).length());
    }

    @Test
    void trainingDropsRatherThanCuts() {
        CaptionTokenizer capped = new CaptionTokenizer(tiny.vocabulary(), 6, 4);
        assertNull(capped.trainingRejection("ab"));                                   // ▁a b ▁ </s>: 4 tokens
        assertTrue(capped.trainingRejection("abcde").contains("max_caption_length"));  // 5 + 2 spaces > 6
        assertTrue(capped.trainingRejection("abab").contains("max_token_length"));   // ▁a b ab ▁ </s>: 5
        MdmException e = assertThrows(MdmException.class,
                () -> capped.batch(List.of(new int[] {4, 5, 6, 5, 1}), true));
        assertTrue(e.getMessage().contains("max_token_length 4"), e.getMessage());
    }
}
