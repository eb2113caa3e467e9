package mdm.nn;

import ai.djl.ndarray.NDArray;
import java.util.Map;
import mdm.core.random.HostRandom;

/**
 * Random values for every parameter of a freshly built layer or network, for tests that look at what
 * it computes: a fresh one's zero-initialised projections and output layers would hide it. Norm
 * weights stay near 1; everything else is normal with standard deviation {@code scale}/√fan-in.
 */
public final class RandomWeights {
    private RandomWeights() {
    }

    public static void fill(Map<String, NDArray> params, HostRandom r, double scale) {
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            NDArray p = e.getValue();
            float[] v = r.normal(Math.toIntExact(p.size()));
            long fanIn = p.getShape().dimension() > 1 ? p.size() / p.getShape().get(0) : 16;
            boolean normWeight = e.getKey().contains("norm") && e.getKey().endsWith("weight");
            for (int i = 0; i < v.length; i++) {
                v[i] = normWeight ? 1 + 0.1f * v[i] : (float) (v[i] * scale / Math.sqrt(fanIn));
            }
            p.set(v);
        }
    }
}
