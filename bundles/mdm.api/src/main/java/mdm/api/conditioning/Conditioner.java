package mdm.api.conditioning;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;
import java.util.Map;
import mdm.api.data.EmbeddingOrigin;
import mdm.api.data.Sample;
import mdm.api.model.Conditioning;
import org.osgi.annotation.versioning.ConsumerType;

/** A built conditioner: turns the condition part of samples into backbone conditioning. */
@ConsumerType
public interface Conditioner extends AutoCloseable {
    /** Width D of the token features it produces (the backbone's conditioning_feature_dim). */
    int featureDim();

    /**
     * Encodes a batch.
     *
     * A sample carrying a {@link Sample#captionEmbedding() precomputed caption embedding} is encoded from it
     * when this conditioner's {@link #embeddingOrigin} for the mode is the embedding's origin (a mismatch is an
     * {@link mdm.api.MdmException}, see {@link EmbeddingOrigin#requireUsable}); the result equals encoding the
     * caption (to float rounding), and the unconditional flags replace it like any other condition.
     *
     * @param batch          samples (only label/caption/frames/caption embedding are read)
     * @param unconditional  per sample: replace its condition with the unconditional input
     *                       (classifier-free guidance dropout); null means none
     * @param training       training-time processing (e.g. the reference's training tokenisation)
     * @param manager        where the result lives (the step's manager)
     */
    Conditioning encode(List<Sample> batch, boolean[] unconditional, boolean training, NDManager manager);

    /** The unconditional input for a batch of {@code n}, used as the guidance branch. */
    Conditioning unconditional(int n, NDManager manager);

    /**
     * Whether training may use this sample. The reference's training reader drops (rather than cuts)
     * captions longer than max_caption_length bytes or max_token_length tokens; a trainer skips the
     * samples this rejects, and {@link #encode} refuses them in training mode.
     */
    default boolean acceptsForTraining(Sample sample) {
        return true;
    }

    /**
     * The part of a sample's condition this conditioner reads: its label, its caption, or both.
     * Generated samples are judged against exactly this (a class model cannot follow a caption).
     */
    default Sample conditionOf(Sample sample) {
        return Sample.condition(sample.label(), sample.caption());
    }

    /**
     * Who this conditioner's caption encodings are, for precomputed caption embeddings: its name, a fingerprint
     * of what decides its output (options, vocabulary, weights) and the tokenisation mode of {@code training}.
     * Null (the default) when its encodings cannot be precomputed: a conditioner with trainable
     * {@link #parameters()} changes its output as it trains, and one that reads no captions has nothing to
     * precompute. A conditioner that returns an origin must use matching precomputed embeddings in
     * {@link #encode} and refuse others.
     */
    default EmbeddingOrigin embeddingOrigin(boolean training) {
        return null;
    }

    /** Trainable parameters by name (trained jointly with the backbone); empty if frozen. */
    Map<String, NDArray> parameters();

    @Override
    void close();
}
