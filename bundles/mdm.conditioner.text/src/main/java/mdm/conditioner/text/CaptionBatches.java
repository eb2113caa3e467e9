package mdm.conditioner.text;

import java.util.ArrayList;
import java.util.List;
import mdm.api.MdmException;
import mdm.api.data.Sample;

/**
 * Turns a batch of samples into padded tokens for the text conditioners. A sample flagged
 * unconditional gets the unconditional caption in inference form (the reference demo's negative
 * prompt, "" → {@code ▁ </s>}) in training as well as in sampling, so the model is trained on exactly
 * the input guidance later feeds it.
 */
public final class CaptionBatches {
    private final CaptionTokenizer tokenizer;
    private final int[] unconditional;

    public CaptionBatches(CaptionTokenizer tokenizer, String unconditionalCaption) {
        this.tokenizer = tokenizer;
        this.unconditional = tokenizer.inferenceTokens(unconditionalCaption);
    }

    public CaptionTokenizer tokenizer() {
        return tokenizer;
    }

    /** Token rows, padded to the longest (training) or to the longest capped at max_token_length (inference). */
    public TokenBatch tokens(List<Sample> batch, boolean[] unconditionalFlags, boolean training) {
        if (unconditionalFlags != null && unconditionalFlags.length != batch.size()) {
            throw new IllegalArgumentException(unconditionalFlags.length + " unconditional flags for a batch of " + batch.size());
        }
        List<int[]> rows = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            if (unconditionalFlags != null && unconditionalFlags[i]) {
                rows.add(unconditional);
                continue;
            }
            Sample s = batch.get(i);
            String caption = caption(s);
            if (training) {
                String rejection = tokenizer.trainingRejection(caption);
                if (rejection != null) {
                    throw new MdmException("sample " + name(s) + ": " + rejection + "; the reference's training reader drops "
                            + "such samples: skip them with Conditioner.acceptsForTraining (the trainer does) or raise the limit.");
                }
            }
            rows.add(tokenizer.tokens(caption, training));
        }
        return tokenizer.batch(rows, training);
    }

    /** Whether the training reader keeps this sample's caption. */
    public boolean acceptsForTraining(Sample sample) {
        return sample.caption() != null && tokenizer.trainingRejection(sample.caption()) == null;
    }

    /** The tokens of the unconditional input. */
    public int[] unconditionalTokens() {
        return unconditional.clone();
    }

    private static String caption(Sample s) {
        if (s.caption() == null) {
            throw new MdmException("sample " + name(s) + " has no caption; a text conditioner needs captioned data "
                    + "(or use the class conditioner for labelled data).");
        }
        return s.caption();
    }

    private static String name(Sample s) {
        return s.id() != null ? "'" + s.id() + "'" : "(no id)";
    }
}
