package mdm.core.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.Buffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;

/**
 * Tensors from Java data, and writes into tensors, that never leave a tensor backed by Java-owned
 * memory.
 *
 * <p>Why: on the CPU, DJL's PyTorch engine makes a tensor <em>share</em> a direct buffer instead of
 * copying it. {@code NDManager.create(float[] …)} copies the values into a direct buffer and hands
 * that buffer to libtorch as the tensor's storage; {@code NDArray.set(Buffer)} replaces the storage
 * of the tensor (and of every handle that shares it, such as a parameter's gradient) by the buffer.
 * Only the Java handle keeps the buffer reachable: once that handle is closed and collected while
 * the storage is still in use elsewhere (a view, a gradient, a tensor autograd saved), libtorch reads
 * and writes freed memory — silently wrong numbers, or heap corruption and a crash.
 *
 * <p>Every array made here is a native copy (libtorch's own allocator), and {@link #assign} and
 * {@link #fill} copy element by element into the target's existing storage.
 */
public final class NativeArrays {
    private NativeArrays() {
    }

    /** A native copy of {@code data} ({@code shape}, {@code type}), owned by {@code manager}. */
    public static NDArray create(NDManager manager, Buffer data, Shape shape, DataType type) {
        try (NDArray shared = manager.create(data, shape, type)) {
            return shared.duplicate();
        }
    }

    public static NDArray create(NDManager manager, float[] data, Shape shape) {
        return create(manager, FloatBuffer.wrap(data), shape, DataType.FLOAT32);
    }

    public static NDArray create(NDManager manager, float[] data) {
        return create(manager, data, new Shape(data.length));
    }

    public static NDArray create(NDManager manager, int[] data, Shape shape) {
        return create(manager, IntBuffer.wrap(data), shape, DataType.INT32);
    }

    public static NDArray create(NDManager manager, int[] data) {
        return create(manager, data, new Shape(data.length));
    }

    public static NDArray create(NDManager manager, long[] data, Shape shape) {
        return create(manager, LongBuffer.wrap(data), shape, DataType.INT64);
    }

    public static NDArray create(NDManager manager, long[] data) {
        return create(manager, data, new Shape(data.length));
    }

    public static NDArray create(NDManager manager, double[] data, Shape shape) {
        return create(manager, java.nio.DoubleBuffer.wrap(data), shape, DataType.FLOAT64);
    }

    public static NDArray create(NDManager manager, double[] data) {
        return create(manager, data, new Shape(data.length));
    }

    /** A boolean array (libtorch's bool), a native copy. */
    public static NDArray create(NDManager manager, boolean[] data, Shape shape) {
        byte[] bytes = new byte[data.length];
        for (int i = 0; i < data.length; i++) {
            bytes[i] = (byte) (data[i] ? 1 : 0);
        }
        return create(manager, java.nio.ByteBuffer.wrap(bytes), shape, DataType.BOOLEAN);
    }

    /**
     * Copies {@code source}'s values into {@code target}'s own storage (converting the element type
     * when they differ); the target keeps its storage, so every handle sharing it sees the values.
     */
    public static void assign(NDArray target, NDArray source) {
        if (!target.getShape().equals(source.getShape())) {
            throw new IllegalArgumentException("cannot assign an array of shape " + source.getShape()
                    + " to one of shape " + target.getShape());
        }
        if (target.getShape().size() == 0) {
            return;
        }
        NDArray value = source.getDataType() == target.getDataType() ? source
                : source.toType(target.getDataType(), false);
        try {
            target.set(new NDIndex("..."), value);
        } finally {
            if (value != source) {
                value.close();
            }
        }
    }

    /**
     * Sets every element of {@code target} to {@code value} in its own storage — NaN and infinity
     * included, which a multiplication by zero would keep. The scalar lands in {@code scratch}.
     */
    public static void fill(NDArray target, float value, NDManager scratch) {
        if (target.getShape().size() == 0) {
            return;
        }
        NDArray scalar = scratch.full(new Shape(), value, target.getDataType());
        target.set(new NDIndex("..."), scalar);
    }
}
