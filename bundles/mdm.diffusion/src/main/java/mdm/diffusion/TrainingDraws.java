package mdm.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import mdm.api.diffusion.NoiseSource;
import mdm.core.random.HostRandom;

/**
 * The random draws of one training step, in the reference's call order: the time steps
 * ({@code randint}), the top level's noise ({@code randn_like}), then fresh noise for each lower
 * level ({@code normal_}). The trainer passes a {@link HostRandom} (seeded and resumable, so a
 * resumed run draws exactly what an uninterrupted one would); tests replay recorded draws.
 */
public interface TrainingDraws extends NoiseSource {
    /** One time step per example, uniform in [0, bound). */
    int[] timesteps(int batch, int bound);

    /** Draws from a host generator: one {@code nextInt} per time step, Box-Muller normals. */
    static TrainingDraws from(HostRandom random) {
        return new TrainingDraws() {
            @Override
            public int[] timesteps(int batch, int bound) {
                int[] t = new int[batch];
                for (int i = 0; i < batch; i++) {
                    t[i] = random.nextInt(bound);
                }
                return t;
            }

            @Override
            public NDArray normal(Shape shape, NDManager manager) {
                return random.normal(shape, manager);
            }
        };
    }
}
