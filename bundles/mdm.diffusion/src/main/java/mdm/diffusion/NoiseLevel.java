package mdm.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import mdm.core.tensor.NativeArrays;
import mdm.core.tensor.Scalars;

/**
 * √γ and √(1−γ) of one level as tensors that broadcast against N×C×H×W images: per example (N×1×1×1,
 * training, where every example has its own time step) or one 0-d value (sampling). They are
 * natively allocated in the caller's manager, so they are safe under autograd (no Number overloads)
 * and live as long as the step does. Values are float32 like the reference's buffers.
 */
public final class NoiseLevel {
    private final float[] gammas;
    private final NDArray sqrtGamma;
    private final NDArray sqrtOneMinusGamma;

    private NoiseLevel(float[] gammas, NDArray sqrtGamma, NDArray sqrtOneMinusGamma) {
        this.gammas = gammas;
        this.sqrtGamma = sqrtGamma;
        this.sqrtOneMinusGamma = sqrtOneMinusGamma;
    }

    /** One γ per example, in {@code manager}. */
    public static NoiseLevel perExample(float[] gammas, NDManager manager) {
        float[] a = new float[gammas.length];
        float[] s = new float[gammas.length];
        for (int i = 0; i < gammas.length; i++) {
            a[i] = sqrt(gammas[i]);
            s[i] = sqrt(1f - gammas[i]);
        }
        Shape shape = new Shape(gammas.length, 1, 1, 1);
        return new NoiseLevel(gammas.clone(), NativeArrays.create(manager, a, shape), NativeArrays.create(manager, s, shape));
    }

    /** The same γ for every example, in {@code manager}. */
    public static NoiseLevel uniform(float gamma, NDManager manager) {
        return new NoiseLevel(new float[] {gamma}, Scalars.of(manager, sqrt(gamma)), Scalars.of(manager, sqrt(1f - gamma)));
    }

    /** The first {@code n} examples (the mixed batch keeps a prefix at higher levels). */
    public NoiseLevel prefix(int n) {
        if (gammas.length == 1 && sqrtGamma.getShape().dimension() == 0) {
            return this;
        }
        float[] head = java.util.Arrays.copyOf(gammas, n);
        return new NoiseLevel(head, sqrtGamma.get("0:" + n), sqrtOneMinusGamma.get("0:" + n));
    }

    /** γ per example (one value when uniform). */
    public float[] gammas() {
        return gammas.clone();
    }

    public NDArray sqrtGamma() {
        return sqrtGamma;
    }

    public NDArray sqrtOneMinusGamma() {
        return sqrtOneMinusGamma;
    }

    /** Correctly rounded float32 square root (the double root rounds to the same float). */
    static float sqrt(float x) {
        return (float) Math.sqrt(x);
    }
}
