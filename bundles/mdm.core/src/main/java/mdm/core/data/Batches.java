package mdm.core.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import mdm.api.data.Sample;
import mdm.core.tensor.NativeArrays;

/** Samples to tensors: one host-to-device copy per batch. */
public final class Batches {
    private Batches() {
    }

    /** Pixels as (N, C, H, W) for images or (N, F, C, H, W) for clips. */
    public static NDArray pixels(List<Sample> batch, NDManager manager) {
        Sample first = batch.get(0);
        int per = first.pixels().length;
        float[] all = new float[batch.size() * per];
        for (int i = 0; i < batch.size(); i++) {
            Sample s = batch.get(i);
            if (s.frames() != first.frames() || s.channels() != first.channels()
                    || s.height() != first.height() || s.width() != first.width()) {
                throw new IllegalArgumentException("sample " + s.id() + " is " + s.frames() + "×" + s.channels() + "×"
                        + s.height() + "×" + s.width() + ", the batch's first is " + first.frames() + "×"
                        + first.channels() + "×" + first.height() + "×" + first.width());
            }
            System.arraycopy(s.pixels(), 0, all, i * per, per);
        }
        Shape shape = first.frames() == 1
                ? new Shape(batch.size(), first.channels(), first.height(), first.width())
                : new Shape(batch.size(), first.frames(), first.channels(), first.height(), first.width());
        return NativeArrays.create(manager, all, shape);
    }

    /** Labels as an int32 vector (−1 where a sample has none). */
    public static NDArray labels(List<Sample> batch, NDManager manager) {
        int[] labels = new int[batch.size()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = batch.get(i).label();
        }
        return NativeArrays.create(manager, labels);
    }
}
