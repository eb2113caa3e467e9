package mdm.trainer.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import mdm.diffusion.TrainingDraws;

/**
 * The random draws of a whole batch, made up front in the order one device would make them (time
 * steps, then each level's noise at full batch), and handed out in slices: data-parallel shards
 * then see exactly the numbers a single device would, so splitting a batch changes nothing but
 * where the arithmetic runs.
 */
final class ShardedDraws {
    private final int[] timesteps;
    private final List<NDArray> noise = new ArrayList<>();

    /** @param levelShapes each level's full-batch shape, highest first */
    ShardedDraws(TrainingDraws source, int batch, int steps, List<Shape> levelShapes, NDManager manager) {
        this.timesteps = source.timesteps(batch, steps);
        for (Shape s : levelShapes) {
            noise.add(source.normal(s, manager));
        }
    }

    /** The draws of examples [from, to), with their noise on {@code manager}'s device. */
    TrainingDraws shard(int from, int to) {
        return new TrainingDraws() {
            private int level;

            @Override
            public int[] timesteps(int batch, int bound) {
                if (batch != to - from) {
                    throw new IllegalStateException("shard of " + (to - from) + " asked for " + batch + " time steps");
                }
                return java.util.Arrays.copyOfRange(timesteps, from, to);
            }

            @Override
            public NDArray normal(Shape shape, NDManager manager) {
                NDArray slice = noise.get(level++).get(new NDIndex("{}:{}", from, to));
                if (!slice.getShape().equals(shape)) {
                    throw new IllegalStateException("noise slice " + slice.getShape() + " for a draw of " + shape);
                }
                NDArray out = slice.toDevice(manager.getDevice(), true);
                out.attach(manager);
                return out;
            }
        };
    }
}
