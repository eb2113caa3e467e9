package mdm.core.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Scalars as natively allocated 0-d tensors. DJL's {@code mul(Number)}/{@code div(Number)} wrap
 * the Java value in a buffer that can be garbage-collected while autograd still reads it, which
 * silently corrupts gradients; a tensor made by {@code full} lives in native memory and stays
 * alive as long as its manager does. Use these under autograd, never the Number overloads.
 */
public final class Scalars {
    private Scalars() {
    }

    /** A 0-d float32 tensor holding {@code value}, owned by {@code manager}. */
    public static NDArray of(NDManager manager, double value) {
        return manager.full(new Shape(), (float) value, DataType.FLOAT32);
    }

    /** {@code x * value}, with the scalar attached to x's manager. */
    public static NDArray mul(NDArray x, double value) {
        return x.mul(of(x.getManager(), value));
    }

    /** {@code x / value}, with the scalar attached to x's manager. */
    public static NDArray div(NDArray x, double value) {
        return x.div(of(x.getManager(), value));
    }

    /** {@code x + value}, with the scalar attached to x's manager. */
    public static NDArray add(NDArray x, double value) {
        return x.add(of(x.getManager(), value));
    }
}
