package mdm.diffusion;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/** Replays a reference step's recorded random draws (drawNNN.*) in call order. */
final class RecordedDraws implements TrainingDraws {
    private final Deque<NDArray> draws = new ArrayDeque<>();

    RecordedDraws(Map<String, NDArray> npz) {
        List<String> keys = npz.keySet().stream().filter(k -> k.startsWith("draw")).sorted().toList();
        keys.forEach(k -> draws.add(npz.get(k)));
    }

    @Override
    public int[] timesteps(int batch, int bound) {
        long[] t = draws.removeFirst().toLongArray();
        assertEquals(batch, t.length);
        int[] out = new int[batch];
        for (int i = 0; i < batch; i++) {
            out[i] = Math.toIntExact(t[i]);
        }
        return out;
    }

    @Override
    public NDArray normal(Shape shape, NDManager manager) {
        NDArray next = draws.removeFirst();
        assertEquals(shape, next.getShape(), "recorded draw has another shape: the draw order differs");
        NDArray copy = manager.create(next.toFloatArray(), shape);
        return copy;
    }

    boolean exhausted() {
        return draws.isEmpty();
    }
}
