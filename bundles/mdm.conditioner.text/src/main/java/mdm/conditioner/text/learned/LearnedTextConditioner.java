package mdm.conditioner.text.learned;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import mdm.api.conditioning.Conditioner;
import mdm.api.data.Sample;
import mdm.api.model.Conditioning;
import mdm.conditioner.text.CaptionBatches;
import mdm.conditioner.text.TokenBatch;

/**
 * Captions → the reference's tokens → a {@link LearnedTextEncoder} whose parameters the trainer
 * optimises with the backbone's. The unconditional input is the empty caption ({@code ▁ </s>}),
 * as the reference demo uses for its negative prompt.
 */
public final class LearnedTextConditioner implements Conditioner {
    private final CaptionBatches captions;
    private final LearnedTextEncoder encoder;
    private final NDManager parameters;
    private final int dim;

    /** @param parameters the manager holding the encoder's parameters; closed with the conditioner */
    public LearnedTextConditioner(CaptionBatches captions, LearnedTextEncoder encoder, NDManager parameters, int dim) {
        this.captions = captions;
        this.encoder = encoder;
        this.parameters = parameters;
        this.dim = dim;
    }

    @Override
    public int featureDim() {
        return dim;
    }

    @Override
    public Conditioning encode(List<Sample> batch, boolean[] unconditional, boolean training, NDManager manager) {
        TokenBatch tokens = captions.tokens(batch, unconditional, training);
        NDArray mask = tokens.maskArray(manager);
        NDArray features = encoder.forward(tokens.idsArray(manager), mask);
        return new Conditioning(features, mask, null);
    }

    @Override
    public Conditioning unconditional(int n, NDManager manager) {
        boolean[] all = new boolean[n];
        Arrays.fill(all, true);
        return encode(Collections.nCopies(n, Sample.condition(-1, null)), all, false, manager);
    }

    @Override
    public boolean acceptsForTraining(Sample sample) {
        return captions.acceptsForTraining(sample);
    }

    /** Only the caption: a text model follows the caption alone. */
    @Override
    public Sample conditionOf(Sample sample) {
        return Sample.condition(-1, sample.caption());
    }

    @Override
    public Map<String, NDArray> parameters() {
        return encoder.parameters();
    }

    @Override
    public void close() {
        parameters.close();
    }
}
