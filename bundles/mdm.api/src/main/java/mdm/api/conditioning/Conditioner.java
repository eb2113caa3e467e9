package mdm.api.conditioning;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;
import java.util.Map;
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
     * @param batch          samples (only label/caption/frames are read)
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

    /** Trainable parameters by name (trained jointly with the backbone); empty if frozen. */
    Map<String, NDArray> parameters();

    @Override
    void close();
}
