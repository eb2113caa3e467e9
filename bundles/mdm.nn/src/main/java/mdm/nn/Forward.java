package mdm.nn;

import ai.djl.ndarray.NDArray;

/**
 * Per-call settings of a forward pass: training mode (dropout) and an optional trace that receives
 * the output of each named sub-module, for comparing intermediates against the reference.
 */
public record Forward(boolean training, Trace trace) {
    /** Inference without tracing. */
    public static final Forward EVAL = new Forward(false, null);
    /** Training without tracing. */
    public static final Forward TRAIN = new Forward(true, null);

    /** Receives a module's output under its reference module path. */
    @FunctionalInterface
    public interface Trace {
        void record(String path, NDArray value);
    }

    /** Records {@code value} under {@code path} if tracing; returns {@code value}. */
    public NDArray record(String path, NDArray value) {
        if (trace != null) {
            trace.record(path, value);
        }
        return value;
    }
}
