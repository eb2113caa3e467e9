package mdm.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.LinkedHashMap;
import java.util.Map;
import mdm.core.tensor.Scalars;

/**
 * Micro-conditioning ({@code micro_conditioning: "scale:64,..."}): one {@link TimeEmbedding} MLP
 * per key ({@code cond_layers.<key>.0/1}, the second zero-initialised), summed into the time
 * embedding. A missing value takes the configured default; {@code scale} is clamped to at most its
 * default, every other key is multiplied by 1000.
 */
public final class MicroConditioning {
    private final Map<String, Double> defaults;
    private final Map<String, TimeEmbedding> layers = new LinkedHashMap<>();

    public MicroConditioning(Params condLayers, Map<String, Double> defaults, int temporalDim) {
        this.defaults = new LinkedHashMap<>(defaults);
        for (String key : defaults.keySet()) {
            Params p = condLayers.child(key);
            layers.put(key, new TimeEmbedding(p.child(0), p.child(1), temporalDim, true));
        }
    }

    /**
     * @param batch  B
     * @param micros values by key, each (B); absent keys use their default
     */
    public NDArray forward(Forward f, NDManager manager, long batch, Map<String, NDArray> micros) {
        NDArray sum = null;
        for (Map.Entry<String, TimeEmbedding> e : layers.entrySet()) {
            String key = e.getKey();
            double def = defaults.get(key);
            NDArray given = micros.get(key);
            NDArray value = given != null
                    ? given.toType(DataType.FLOAT32, false)
                    : manager.full(new ai.djl.ndarray.types.Shape(batch), (float) def, DataType.FLOAT32);
            NDArray v;
            if ("scale".equals(key)) {
                v = value.div(Scalars.of(value.getManager(), def))
                        .minimum(Scalars.of(value.getManager(), 1.0))
                        .mul(Scalars.of(value.getManager(), def));
            } else {
                v = value.mul(Scalars.of(value.getManager(), 1000.0));
            }
            NDArray emb = f.record(e.getValue().outputPath(), e.getValue().forward(v));
            sum = sum == null ? emb : sum.add(emb);
        }
        return sum;
    }

    public boolean isEmpty() {
        return layers.isEmpty();
    }
}
