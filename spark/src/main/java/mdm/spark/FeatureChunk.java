package mdm.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import mdm.api.eval.Features;

/** One chunk of embedded images as it travels from an executor to the driver (Features is not Serializable). */
record FeatureChunk(int index, String network, String weightsHash, int count, int dim, float[] values,
                    ArrayList<HashMap<String, Boolean>> checks) implements Serializable {
    static FeatureChunk of(int index, Features f) {
        ArrayList<HashMap<String, Boolean>> checks = new ArrayList<>();
        f.checks().forEach(c -> checks.add(new HashMap<>(c)));
        return new FeatureChunk(index, f.network(), f.weightsHash(), f.count(), f.dim(), f.values(), checks);
    }

    Features features() {
        List<Map<String, Boolean>> c = new ArrayList<>(checks);
        return new Features(network, weightsHash, count, dim, values, c);
    }
}
