package mdm.conditioner.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Cross-checks our segmentation against an independent implementation: HF tokenizers' Unigram
 * model (Rust, through DJL's {@code ai.djl.huggingface:tokenizers}) built from t5.vocab's pieces
 * and scores, spaces mapped to "▁", no other normalisation, no pre-tokenisation, no byte fallback.
 * Both take the maximum-probability segmentation over the same pieces, so on text made of known
 * characters they must agree. Every difference must fall into one of these documented kinds:
 * <ol>
 *   <li>{@link Kind#UNKNOWN_CHARACTER}: a character no piece covers (tab, newline, "{", "~", "ï",
 *       emoji, CJK, a combining accent). HF's Unigram emits {@code <unk>} (id 2) for it; the
 *       reference ({@code ignore_unk=True}) drops it. Removing HF's {@code <unk>} ids gives our ids.</li>
 *   <li>{@link Kind#DEAD_PARTIAL_MATCH}: a character that starts a piece but whose continuation
 *       matches nothing. When no hypothesis survives, mlx-data abandons every partial match and
 *       resumes after the latest word boundary, so the bytes since that boundary go too. In
 *       practice "&lt;" (which begins {@code <pad>}, {@code </s>}, {@code <unk>},
 *       {@code <extra_id_N>}): in " &lt;PERSON&gt;" the reference drops "&lt;P" and yields
 *       "▁ ER SON &gt;", while HF yields "▁ &lt;unk&gt; PER SON &gt;". Segmenting each kept stretch
 *       separately with HF (nothing spans a skipped stretch in the reference either) and removing
 *       {@code <unk>} gives our ids.</li>
 * </ol>
 * Ties between equal-cost segmentations would be a third kind (HF keeps the first candidate in
 * its left-to-right scan, mlx-data the first relaxation of its Dijkstra search); none occurs in
 * these files, and any other difference fails the test.
 */
class TokenizerCrossCheckTest {
    private static final int UNK = 2;

    enum Kind { IDENTICAL, UNKNOWN_CHARACTER, DEAD_PARTIAL_MATCH, UNEXPLAINED }

    private static HuggingFaceTokenizer hf;
    private static CaptionTokenizer ours;

    @BeforeAll
    static void setUp() throws Exception {
        String json = UnigramJson.fromVocabFile(TestData.data("t5.vocab"));
        hf = HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)),
                Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false"));
        ours = new CaptionTokenizer(Vocabulary.read(TestData.data("t5.vocab")), -1, -1);
    }

    @AfterAll
    static void tearDown() {
        hf.close();
    }

    @Test
    void everyDemoPromptIsIdentical() throws Exception {
        List<String> prompts = TestData.prompts("prompts_demo.tsv", null);
        assertEquals(101, prompts.size());
        for (String p : prompts) {
            assertEquals(Kind.IDENTICAL, classify(" " + p), "inference form of: " + p);
            assertEquals(Kind.IDENTICAL, classify(" " + p + " "), "training form of: " + p);
        }
    }

    @Test
    void everyPromptFileDiffersOnlyInDocumentedWays() throws Exception {
        Map<String, List<String>> files = new LinkedHashMap<>();
        files.put("prompts_demo.tsv", TestData.prompts("prompts_demo.tsv", null));
        files.put("prompts_cc12m-64x64.tsv", TestData.prompts("prompts_cc12m-64x64.tsv", "caption"));
        files.put("c12m_10samples.tsv", TestData.prompts("c12m_10samples.tsv", "caption"));
        files.put("images_00000.tsv", TestData.prompts("images_00000.tsv", "caption"));
        StringBuilder report = new StringBuilder("tokenizer cross-check against HF Unigram (inference form / training form):\n");
        for (var file : files.entrySet()) {
            for (String form : List.of("inference", "training")) {
                Map<Kind, Integer> counts = new EnumMap<>(Kind.class);
                for (String p : file.getValue()) {
                    String text = form.equals("inference") ? " " + p : " " + p + " ";
                    Kind kind = classify(text);
                    counts.merge(kind, 1, Integer::sum);
                    assertTrue(kind != Kind.UNEXPLAINED, "unexplained difference for '" + p + "'");
                }
                report.append(String.format("  %-24s %-9s %3d prompts: %s%n", file.getKey(), form,
                        file.getValue().size(), counts));
            }
        }
        System.out.print(report);
    }

    @Test
    void documentedKindsOnHandPickedText() {
        assertEquals(Kind.UNKNOWN_CHARACTER, classify(" tab\there"));
        assertEquals(Kind.UNKNOWN_CHARACTER, classify(" {braces} ~tilde~"));
        assertEquals(Kind.UNKNOWN_CHARACTER, classify(" emoji \uD83D\uDE42 ok"));
        assertEquals(Kind.UNKNOWN_CHARACTER, classify(" na\u00efve"));
        assertEquals(Kind.DEAD_PARTIAL_MATCH, classify(" <PERSON>"));
        // the reference drops "<P": '<' starts the special pieces and 'P' continues none of them
        var seg = ours.segmentation(" <PERSON>");
        assertEquals("<P", droppedText(" <PERSON>".getBytes(StandardCharsets.UTF_8), seg.dropped()));
        assertArrayEquals(new int[] {3, ours.vocabulary().id("ER"), ours.vocabulary().id("SON"), ours.vocabulary().id(">")},
                seg.ids());
        // literal special tokens are pieces of the vocabulary for both
        assertEquals(Kind.IDENTICAL, classify(" literal <pad> and </s>"));
    }

    private Kind classify(String text) {
        var seg = ours.segmentation(text);
        long[] theirs = hf.encode(text).getIds();
        if (Arrays.equals(seg.ids(), toInt(LongStream.of(theirs)))) {
            return Kind.IDENTICAL;
        }
        if (Arrays.equals(seg.ids(), toInt(LongStream.of(theirs).filter(id -> id != UNK)))) {
            return Kind.UNKNOWN_CHARACTER;
        }
        List<Long> joined = new ArrayList<>();
        for (String stretch : keptStretches(text.getBytes(StandardCharsets.UTF_8), seg.dropped())) {
            for (long id : hf.encode(stretch).getIds()) {
                if (id != UNK) {
                    joined.add(id);
                }
            }
        }
        if (Arrays.equals(seg.ids(), toInt(joined.stream().mapToLong(Long::longValue)))) {
            return Kind.DEAD_PARTIAL_MATCH;
        }
        return Kind.UNEXPLAINED;
    }

    private static List<String> keptStretches(byte[] bytes, boolean[] dropped) {
        List<String> out = new ArrayList<>();
        ByteArrayOutputStream cur = new ByteArrayOutputStream();
        for (int i = 0; i < bytes.length; i++) {
            if (dropped[i]) {
                if (cur.size() > 0) {
                    out.add(cur.toString(StandardCharsets.UTF_8));
                    cur.reset();
                }
            } else {
                cur.write(bytes[i]);
            }
        }
        if (cur.size() > 0) {
            out.add(cur.toString(StandardCharsets.UTF_8));
        }
        return out;
    }

    private static String droppedText(byte[] bytes, boolean[] dropped) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < bytes.length; i++) {
            if (dropped[i]) {
                out.write(bytes[i]);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static int[] toInt(LongStream ids) {
        return ids.mapToInt(Math::toIntExact).toArray();
    }
}
