package mdm.core.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.Map;
import mdm.core.tensor.NativeArrays;

/**
 * An exponential moving average of the parameters: ema ← d·ema + (1−d)·p after each optimiser
 * step. With warm-up the decay starts low, d = min(decay, (1 + n)/(10 + n)), so early averages
 * are not dominated by the random initialisation (the reference uses a fixed 0.9999).
 */
public final class ExponentialMovingAverage {
    private final double decay;
    private final boolean warmup;
    private final NDManager manager;
    private final Map<String, NDArray> shadow = new LinkedHashMap<>();
    private long updates;

    public ExponentialMovingAverage(double decay, boolean warmup, Map<String, NDArray> parameters, NDManager manager) {
        if (decay < 0 || decay >= 1) {
            throw new IllegalArgumentException("ema decay must lie in [0, 1): " + decay);
        }
        this.decay = decay;
        this.warmup = warmup;
        this.manager = manager;
        parameters.forEach((k, p) -> {
            NDArray copy = p.duplicate();
            copy.attach(manager);
            shadow.put(k, copy);
        });
    }

    /** The decay the next update uses. */
    public double currentDecay() {
        return warmup ? Math.min(decay, (1.0 + updates) / (10.0 + updates)) : decay;
    }

    public void update(Map<String, NDArray> parameters, NDManager scratch) {
        double d = currentDecay();
        NDArray keep = scratch.full(new Shape(), (float) d);
        NDArray take = scratch.full(new Shape(), (float) (1 - d));
        shadow.forEach((k, e) -> {
            try (NDArray part = parameters.get(k).mul(take)) { // lands in the parameter's manager: close now
                e.muli(keep).addi(part);
            }
        });
        updates++;
    }

    /** The averaged parameters by name (live tensors owned by this object). */
    public Map<String, NDArray> parameters() {
        return shadow;
    }

    public long updates() {
        return updates;
    }

    /** Restores averages and the update count from a checkpoint. */
    public void restore(Map<String, NDArray> values, long updateCount) {
        values.forEach((k, v) -> {
            NDArray target = shadow.get(k);
            if (target == null) {
                throw new IllegalArgumentException("EMA checkpoint has unknown parameter " + k);
            }
            NativeArrays.assign(target, v);
        });
        updates = updateCount;
    }

    public void close() {
        shadow.values().forEach(NDArray::close);
        shadow.clear();
    }
}
