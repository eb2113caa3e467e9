package mdm.api.model;

import ai.djl.ndarray.NDArray;
import java.util.Map;

/**
 * What a backbone is conditioned on: token features (B×L×D, pad rows already zero), their mask
 * (B×L, 1 for real tokens, 0 for padding; may be null) and optional micro-conditioning values
 * by key (each of shape B). A conditioner produces it.
 */
public record Conditioning(NDArray tokens, NDArray mask, Map<String, NDArray> micros) {
    public Conditioning {
        micros = micros == null ? Map.of() : Map.copyOf(micros);
    }

    /** Batch size of the token features. */
    public long batchSize() {
        return tokens.getShape().get(0);
    }
}
