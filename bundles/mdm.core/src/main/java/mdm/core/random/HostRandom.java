package mdm.core.random;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.charset.StandardCharsets;
import mdm.api.diffusion.NoiseSource;
import mdm.core.tensor.NativeArrays;

/**
 * A counter-based generator (SplitMix64 over seed + counter). Its whole state is two longs, so a
 * checkpoint saves it and a resumed run draws exactly the numbers an uninterrupted one would;
 * draws do not depend on threads or on the engine's global generator. Not thread-safe: give each
 * consumer its own stream with {@link #fork(String)}.
 */
public final class HostRandom implements NoiseSource {
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    private final long seed;
    private long counter;

    public HostRandom(long seed) {
        this(seed, 0);
    }

    /** Restores a generator from its saved state. */
    public HostRandom(long seed, long counter) {
        this.seed = seed;
        this.counter = counter;
    }

    public long seed() {
        return seed;
    }

    /** How many 64-bit words have been drawn; with {@link #seed()} the complete state. */
    public long counter() {
        return counter;
    }

    /** An independent stream for one purpose (e.g. "noise", "timesteps"), reproducible from this seed. */
    public HostRandom fork(String purpose) {
        long h = seed;
        for (byte b : purpose.getBytes(StandardCharsets.UTF_8)) {
            h = mix(h ^ b);
        }
        return new HostRandom(mix(h + GOLDEN), 0);
    }

    public long nextLong() {
        return mix(seed + (++counter) * GOLDEN);
    }

    /** Uniform in [0, 1) with 53 random bits. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Uniform integer in [0, bound). */
    public int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be positive: " + bound);
        }
        return (int) Math.floorMod(nextLong(), (long) bound);
    }

    /** Standard normal draws (Box-Muller, both values of each pair used). */
    public float[] normal(int n) {
        float[] out = new float[n];
        for (int i = 0; i < n; i += 2) {
            double u1 = 1.0 - nextDouble(); // (0, 1], so the log is finite
            double u2 = nextDouble();
            double r = Math.sqrt(-2.0 * Math.log(u1));
            out[i] = (float) (r * Math.cos(2 * Math.PI * u2));
            if (i + 1 < n) {
                out[i + 1] = (float) (r * Math.sin(2 * Math.PI * u2));
            }
        }
        return out;
    }

    /** Uniform draws in [lo, hi). */
    public float[] uniform(int n, double lo, double hi) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) (lo + (hi - lo) * nextDouble());
        }
        return out;
    }

    /** A Fisher-Yates permutation of 0..n-1. */
    public int[] permutation(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    @Override
    public NDArray normal(Shape shape, NDManager manager) {
        return NativeArrays.create(manager, normal(Math.toIntExact(shape.size())), shape);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
