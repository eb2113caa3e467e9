package mdm.api.data;

import java.util.Objects;
import mdm.api.MdmException;

/**
 * Who made a caption embedding: the conditioner's name, a fingerprint of everything that decides its output
 * (options, vocabulary, weights) and the tokenisation mode. A precomputed embedding stands in for encoding
 * the caption only when all three equal the conditioner's own {@code Conditioner.embeddingOrigin}.
 *
 * @param conditioner  the conditioner's {@code mdm.name}, e.g. {@code t5}
 * @param fingerprint  a hash (hex) of what decides the conditioner's output for a caption
 * @param tokenization {@link #TRAINING} or {@link #INFERENCE}: the caption form the tokens were made from
 */
public record EmbeddingOrigin(String conditioner, String fingerprint, String tokenization) {
    /** The training reader's caption form (the trainer encodes in this mode). */
    public static final String TRAINING = "training";
    /** The sampling-time caption form. */
    public static final String INFERENCE = "inference";

    public EmbeddingOrigin {
        Objects.requireNonNull(conditioner, "conditioner");
        Objects.requireNonNull(fingerprint, "fingerprint");
        if (!TRAINING.equals(tokenization) && !INFERENCE.equals(tokenization)) {
            throw new IllegalArgumentException("tokenization must be '" + TRAINING + "' or '" + INFERENCE + "', got "
                    + tokenization);
        }
    }

    /** The mode name for encode's {@code training} flag. */
    public static String tokenization(boolean training) {
        return training ? TRAINING : INFERENCE;
    }

    /** "t5 (fingerprint 3f2a9c01d4e5…, training tokenisation)". */
    public String describe() {
        String shortPrint = fingerprint.length() > 12 ? fingerprint.substring(0, 12) + "…" : fingerprint;
        return conditioner + " (fingerprint " + shortPrint + ", " + tokenization + " tokenisation)";
    }

    /**
     * Refuses a precomputed embedding that the conditioner encoding the batch would not have made.
     *
     * @param expected    the conditioner's own origin for the mode it encodes in; null when it cannot use
     *                    precomputed embeddings (a trainable conditioner, or one that reads no captions)
     * @param conditioner the conditioner's name, for the message
     * @param sample      a sample carrying a precomputed embedding
     * @throws MdmException naming both sides and how to fix it
     */
    public static void requireUsable(EmbeddingOrigin expected, String conditioner, Sample sample) {
        CaptionEmbedding e = sample.captionEmbedding();
        if (e == null || e.origin().equals(expected)) {
            return;
        }
        String which = "sample " + (sample.id() == null ? "(no id)" : "'" + sample.id() + "'");
        String drop = "drop the precomputed embeddings (delete the *.emb.safetensors sidecars, or set the tsv-tar option "
                + "embeddings: ignore).";
        if (expected == null) {
            throw new MdmException(which + " carries a caption embedding precomputed by " + e.origin().describe()
                    + ", but conditioner '" + conditioner + "' cannot use precomputed embeddings (it is trained with the "
                    + "backbone, or does not read captions), so they would be silently ignored: " + drop);
        }
        String fix = " Re-run the caption-embedding job (mdm.spark.EmbedMain) with this conditioner and its options, or " + drop;
        throw new MdmException(which + " carries a caption embedding precomputed by " + e.origin().describe()
                + ", but this run's conditioner is " + expected.describe() + "; a different conditioner, options, "
                + "weights or tokenisation give different embeddings." + fix);
    }
}
