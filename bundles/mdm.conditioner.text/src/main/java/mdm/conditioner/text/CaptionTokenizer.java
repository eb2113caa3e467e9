package mdm.conditioner.text;

import java.nio.charset.StandardCharsets;
import java.util.List;
import mdm.api.MdmException;

/**
 * The reference's two caption pipelines over a vocabulary (mdm-facts §5.5):
 * <ul>
 *   <li>training ({@code reader.py}): one space before and one after the caption's bytes, segment,
 *       append {@code </s>}; a caption longer than {@code max_caption_length} bytes (counting the two
 *       spaces) or with more than {@code max_token_length} tokens is dropped, not cut; a batch is
 *       padded with {@code <pad>} to its longest row;</li>
 *   <li>inference ({@code process_text}): the caption cut to {@code max_caption_length} characters,
 *       one space before it only, segment, append {@code </s>}; rows padded to the longest and cut at
 *       {@code max_token_length} (a longer row loses its tail, EOS included).</li>
 * </ul>
 * A limit ≤ 0 means none. (With the reference's default −1, {@code process_text} would cut the last
 * token of every row; the released configs set 128, and here −1 simply means no cap.)
 */
public final class CaptionTokenizer {
    private final Vocabulary vocabulary;
    private final ShortestSegmenter segmenter;
    private final int maxCaptionLength;
    private final int maxTokenLength;

    public CaptionTokenizer(Vocabulary vocabulary, int maxCaptionLength, int maxTokenLength) {
        this.vocabulary = vocabulary;
        this.segmenter = new ShortestSegmenter(vocabulary);
        this.maxCaptionLength = maxCaptionLength;
        this.maxTokenLength = maxTokenLength;
    }

    public Vocabulary vocabulary() {
        return vocabulary;
    }

    public int maxTokenLength() {
        return maxTokenLength;
    }

    /** The segmentation of raw text, without any padding or EOS. */
    public int[] segment(String text) {
        return segmenter.segment(text.getBytes(StandardCharsets.UTF_8));
    }

    /** The segmentation of raw text with the bytes it skipped (unknown characters and dead partial matches). */
    ShortestSegmenter.Segmentation segmentation(String text) {
        return segmenter.segmentation(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Training form: " caption " segmented, then {@code </s>}. */
    public int[] trainingTokens(String caption) {
        return withEos(segment(" " + caption + " "));
    }

    /** Inference form: " caption" (cut to max_caption_length characters) segmented, then {@code </s>}. */
    public int[] inferenceTokens(String caption) {
        String text = caption;
        if (maxCaptionLength > 0 && text.codePointCount(0, text.length()) > maxCaptionLength) {
            text = text.substring(0, text.offsetByCodePoints(0, maxCaptionLength));
        }
        return withEos(segment(" " + text));
    }

    public int[] tokens(String caption, boolean training) {
        return training ? trainingTokens(caption) : inferenceTokens(caption);
    }

    /**
     * Why the training reader would drop this caption, or null if it keeps it. The reference
     * filters after padding, so the two added spaces count towards max_caption_length.
     */
    public String trainingRejection(String caption) {
        int bytes = caption.getBytes(StandardCharsets.UTF_8).length + 2;
        if (maxCaptionLength > 0 && bytes > maxCaptionLength) {
            return "caption has " + bytes + " bytes with its two padding spaces, more than max_caption_length "
                    + maxCaptionLength;
        }
        int tokens = trainingTokens(caption).length;
        if (maxTokenLength > 0 && tokens > maxTokenLength) {
            return "caption has " + tokens + " tokens, more than max_token_length " + maxTokenLength;
        }
        return null;
    }

    /**
     * Pads token rows into a batch. Training rows must already fit (the reference drops the others);
     * inference rows are cut at max_token_length.
     *
     * @throws MdmException if a training row is longer than max_token_length
     */
    public TokenBatch batch(List<int[]> rows, boolean training) {
        int longest = 0;
        for (int[] row : rows) {
            longest = Math.max(longest, row.length);
        }
        if (maxTokenLength > 0 && longest > maxTokenLength) {
            if (training) {
                throw new MdmException("a training caption has " + longest + " tokens, more than max_token_length "
                        + maxTokenLength + "; the reference drops such samples: filter them with Conditioner.accepts "
                        + "(the trainer does) or raise max_token_length.");
            }
            longest = maxTokenLength;
        }
        int[][] ids = new int[rows.size()][longest];
        for (int i = 0; i < rows.size(); i++) {
            int[] row = rows.get(i);
            int n = Math.min(row.length, longest);
            System.arraycopy(row, 0, ids[i], 0, n);
            for (int j = n; j < longest; j++) {
                ids[i][j] = vocabulary.pad();
            }
        }
        return new TokenBatch(ids, vocabulary.pad());
    }

    private int[] withEos(int[] tokens) {
        int[] out = java.util.Arrays.copyOf(tokens, tokens.length + 1);
        out[tokens.length] = vocabulary.eos();
        return out;
    }
}
