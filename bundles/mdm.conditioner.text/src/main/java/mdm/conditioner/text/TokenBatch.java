package mdm.conditioner.text;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import mdm.core.tensor.NativeArrays;

/**
 * Padded token ids, B×L. The mask is {@code id ≠ <pad>} as in the reference (so a caption that
 * literally contains "&lt;pad&gt;" gets a 0 there too).
 */
public record TokenBatch(int[][] ids, int pad) {
    public int batchSize() {
        return ids.length;
    }

    public int length() {
        return ids.length == 0 ? 0 : ids[0].length;
    }

    /** Ids as an int64 B×L tensor. */
    public NDArray idsArray(NDManager manager) {
        long[] flat = new long[batchSize() * length()];
        for (int i = 0; i < ids.length; i++) {
            for (int j = 0; j < ids[i].length; j++) {
                flat[i * length() + j] = ids[i][j];
            }
        }
        return NativeArrays.create(manager, flat, new Shape(batchSize(), length()));
    }

    /** The float mask, 1 for real tokens and 0 for padding, B×L. */
    public NDArray maskArray(NDManager manager) {
        return NativeArrays.create(manager, mask(), new Shape(batchSize(), length()));
    }

    public float[] mask() {
        float[] flat = new float[batchSize() * length()];
        for (int i = 0; i < ids.length; i++) {
            for (int j = 0; j < ids[i].length; j++) {
                flat[i * length() + j] = ids[i][j] != pad ? 1f : 0f;
            }
        }
        return flat;
    }
}
