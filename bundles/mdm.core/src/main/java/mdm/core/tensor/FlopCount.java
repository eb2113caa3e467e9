package mdm.core.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Counts the floating-point operations of the layers run on this thread while a count is open
 * (multiply and add counted as 2, as is usual): convolutions, linear layers and attention products
 * report themselves. The forward pass runs in Java, layer by layer, so its FLOPs are known exactly
 * from the shapes; the backward pass runs inside the engine, and the usual estimate is twice the
 * forward. Thread-scoped so that concurrent jobs and tests never count each other's work.
 */
public final class FlopCount implements AutoCloseable {
    /** The count open on each thread (null when none): a scope, never shared between threads. */
    private static final ThreadLocal<FlopCount> OPEN = new ThreadLocal<>();

    private final FlopCount outer;
    private long flops;

    private FlopCount(FlopCount outer) {
        this.outer = outer;
    }

    /** Opens a count on this thread until {@link #close()}. */
    public static FlopCount start() {
        FlopCount c = new FlopCount(OPEN.get());
        OPEN.set(c);
        return c;
    }

    /** Adds to the open count, if there is one. */
    public static void add(long flops) {
        FlopCount c = OPEN.get();
        if (c != null) {
            c.flops += flops;
        }
    }

    /** A convolution's output and its weight (out, in/groups, k…): 2 · output elements · in · k…. */
    public static void convolution(NDArray output, NDArray weight) {
        if (OPEN.get() != null) {
            Shape w = weight.getShape();
            add(2 * output.size() * (w.size() / w.get(0)));
        }
    }

    /** A linear layer's output (…, out) and its weight (out, in): 2 · output elements · in. */
    public static void linear(NDArray output, NDArray weight) {
        if (OPEN.get() != null) {
            add(2 * output.size() * weight.getShape().get(1));
        }
    }

    /** A batched matrix product a (…, m, k) · b (…, k, n) with its result (…, m, n): 2 · result elements · k. */
    public static void matMul(NDArray a, NDArray result) {
        if (OPEN.get() != null) {
            Shape s = a.getShape();
            add(2 * result.size() * s.get(s.dimension() - 1));
        }
    }

    public long flops() {
        return flops;
    }

    @Override
    public void close() {
        OPEN.set(outer);
        if (outer != null) {
            outer.flops += flops;
        }
    }
}
