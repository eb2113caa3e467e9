package mdm.core.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.nio.ShortBuffer;
import mdm.api.MdmException;
import mdm.core.tensor.NativeArrays;

/**
 * Turns element bytes from a file into an NDArray. The bytes are gathered (and widened) in a direct
 * buffer, then copied once into libtorch's own memory ({@link NativeArrays}): DJL would otherwise keep
 * the Java buffer as the tensor's storage, freed by the garbage collector while a view of the tensor
 * may still read it.
 */
final class TensorBytes {
    private TensorBytes() {
    }

    /** The number of elements of {@code dims}, exactly. @throws ArithmeticException when it overflows */
    static long elements(long[] dims) {
        long n = 1;
        for (long d : dims) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** A loaded tensor larger than one buffer can hold, named with where it comes from. */
    static MdmException tooLarge(String where, Shape shape, ElementType type) {
        return new MdmException(where + " has shape " + shape + " (" + type + "): loaded as "
                + type.loaded + " it would exceed 2 GB, which one tensor cannot");
    }

    /** An array of {@code shape} from {@code src[off, off + numel * type.fileBytes)} stored in {@code order}. */
    static NDArray fromBytes(NDManager manager, byte[] src, int off, ElementType type, Shape shape,
            ByteOrder order) {
        int numel = Math.toIntExact(shape.size());
        if (numel == 0) {
            return manager.zeros(shape, type.loaded);
        }
        int len = Math.multiplyExact(numel, type.fileBytes);
        ByteBuffer in = ByteBuffer.wrap(src, off, len).slice().order(order);
        ByteBuffer out = manager.allocateDirect(Math.multiplyExact(numel, type.loaded.getNumOfBytes()));
        copyConverting(in, out, type);
        return NativeArrays.create(manager, out.rewind(), shape, type.loaded);
    }

    /**
     * An array with the values of {@code direct} (little-endian file bytes, position 0, exactly the tensor's
     * bytes), copied into native memory; converted through a new buffer where widening is needed.
     */
    static NDArray adopt(NDManager manager, ByteBuffer direct, ElementType type, Shape shape) {
        if (shape.size() == 0) {
            return manager.zeros(shape, type.loaded);
        }
        direct.rewind();
        if (!type.widens() && direct.isDirect() && direct.order() == ByteOrder.nativeOrder()
                && ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) {
            return NativeArrays.create(manager, direct, shape, type.loaded);
        }
        ByteBuffer out = manager.allocateDirect(Math.multiplyExact(Math.toIntExact(shape.size()),
                type.loaded.getNumOfBytes()));
        copyConverting(direct.order(ByteOrder.LITTLE_ENDIAN), out, type);
        return NativeArrays.create(manager, out.rewind(), shape, type.loaded);
    }

    /** Copies all of {@code in} into {@code out} (native order), swapping bytes and widening as the type needs. */
    private static void copyConverting(ByteBuffer in, ByteBuffer out, ElementType type) {
        if (type == ElementType.BF16) {
            // bfloat16 is the upper half of a float32: shift its bits up, exactly
            ShortBuffer s = in.asShortBuffer();
            IntBuffer d = out.asIntBuffer();
            for (int i = 0, n = s.remaining(); i < n; i++) {
                d.put(i, s.get(i) << 16);
            }
        } else if (type == ElementType.I16) {
            ShortBuffer s = in.asShortBuffer();
            IntBuffer d = out.asIntBuffer();
            for (int i = 0, n = s.remaining(); i < n; i++) {
                d.put(i, s.get(i));
            }
        } else if (in.order() == out.order() || type.fileBytes == 1) {
            out.put(in);
        } else if (type.fileBytes == 2) {
            out.asShortBuffer().put(in.asShortBuffer());
        } else if (type.fileBytes == 4) {
            out.asIntBuffer().put(in.asIntBuffer());
        } else {
            out.asLongBuffer().put(in.asLongBuffer());
        }
    }

    /**
     * The elements of a strided view, in C order, as contiguous bytes: {@code out[i] = src[offset + Σ idx·stride]}.
     * Rows whose last stride is 1 are copied whole.
     */
    static byte[] gather(byte[] src, long offset, long[] shape, long[] stride, int itemBytes) {
        int nd = shape.length;
        long numel = 1;
        for (long d : shape) {
            numel *= d;
        }
        byte[] out = new byte[Math.toIntExact(numel * itemBytes)];
        if (numel == 0) {
            return out;
        }
        int last = nd - 1;
        long rowLength = nd == 0 ? 1 : shape[last];
        long lastStride = nd == 0 ? 1 : stride[last];
        long[] idx = new long[Math.max(nd - 1, 0)];
        int pos = 0;
        while (true) {
            long base = offset;
            for (int i = 0; i < idx.length; i++) {
                base += idx[i] * stride[i];
            }
            if (lastStride == 1) {
                int n = (int) (rowLength * itemBytes);
                System.arraycopy(src, Math.toIntExact(base * itemBytes), out, pos, n);
                pos += n;
            } else {
                for (long j = 0; j < rowLength; j++) {
                    System.arraycopy(src, Math.toIntExact((base + j * lastStride) * itemBytes), out, pos, itemBytes);
                    pos += itemBytes;
                }
            }
            int d = idx.length - 1;
            while (d >= 0 && ++idx[d] == shape[d]) {
                idx[d--] = 0;
            }
            if (d < 0) {
                return out;
            }
        }
    }
}
