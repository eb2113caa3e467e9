package mdm.baseline.cascade.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import mdm.api.diffusion.NoiseSource;
import mdm.core.tensor.NativeArrays;

/**
 * Noise-conditioning augmentation (Ho et al. 2021, Imagen §2.5): the conditioning image is
 * corrupted by a variance-preserving forward process at level a ∈ [0, 1],
 * z = cos(πa/2)·x + sin(πa/2)·ε, so a = 0 leaves it clean and a = 1 is pure noise; the level is
 * embedded like the time step. Independent of the model's own noise schedule, so one level means
 * the same corruption whatever the schedule.
 */
final class NoiseAugmentation {
    private NoiseAugmentation() {
    }

    /** {@code x} (B, C, H, W) corrupted at {@code levels[b]} per example. */
    static NDArray apply(NDArray x, float[] levels, NoiseSource normal) {
        NDManager m = x.getManager();
        int b = levels.length;
        float[] signal = new float[b];
        float[] noise = new float[b];
        for (int i = 0; i < b; i++) {
            signal[i] = (float) Math.cos(Math.PI / 2 * levels[i]);
            noise[i] = (float) Math.sin(Math.PI / 2 * levels[i]);
        }
        Shape perExample = new Shape(b, 1, 1, 1);
        NDArray eps = normal.normal(x.getShape(), m);
        return x.mul(NativeArrays.create(m, signal, perExample)).add(eps.mul(NativeArrays.create(m, noise, perExample)));
    }
}
