package mdm.samplers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import mdm.api.diffusion.NoiseSource;

/** Replays recorded noise draws in call order; a draw of another shape means the order differs. */
final class RecordedNoise implements NoiseSource {
    private final Deque<NDArray> draws;
    private int used;

    RecordedNoise(List<NDArray> draws) {
        this.draws = new ArrayDeque<>(draws);
    }

    @Override
    public NDArray normal(Shape shape, NDManager manager) {
        assertFalse(draws.isEmpty(), "the sampler drew more noise than the reference (draw " + used + ")");
        NDArray next = draws.removeFirst();
        assertEquals(next.getShape(), shape, "draw " + used + " has another shape: the draw order differs");
        used++;
        return manager.create(next.toFloatArray(), shape);
    }

    int used() {
        return used;
    }

    int left() {
        return draws.size();
    }
}
