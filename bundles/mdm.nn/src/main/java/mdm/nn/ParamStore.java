package mdm.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import mdm.core.random.HostRandom;
import mdm.core.tensor.NativeArrays;

/**
 * The parameters of a network by reference state-dict key, in registration order. Layers register
 * their tensors through {@link Params} scopes while they are built; in shapes-only mode nothing is
 * allocated and only the shapes are recorded, so the size of a 2 GB model can be computed for free.
 *
 * <p>Initial values follow PyTorch's defaults (uniform ±1/√fan_in for linear and convolution
 * weights and biases, ones and zeros for norms) drawn from a host generator forked per key, so a
 * parameter's initial value depends only on the seed and its name.
 */
public final class ParamStore {
    private final NDManager manager;
    private final HostRandom random;
    private final LinkedHashMap<String, NDArray> arrays = new LinkedHashMap<>();
    private final LinkedHashMap<String, Shape> shapes = new LinkedHashMap<>();

    private ParamStore(NDManager manager, HostRandom random) {
        this.manager = manager;
        this.random = random;
    }

    /** A store that allocates and initialises every parameter in {@code manager}. */
    public static ParamStore allocating(NDManager manager, long seed) {
        return new ParamStore(manager, new HostRandom(seed));
    }

    /** A store that only records shapes; layers built on it hold no tensors and must not run. */
    public static ParamStore shapesOnly() {
        return new ParamStore(null, null);
    }

    /** The root scope (no key prefix). */
    public Params root() {
        return new Params(this, "");
    }

    /** Whether tensors are allocated (false in shapes-only mode). */
    public boolean allocating() {
        return manager != null;
    }

    /** Parameters by key, in registration order; the map cannot be changed, the tensors can. */
    public Map<String, NDArray> arrays() {
        return Collections.unmodifiableMap(arrays);
    }

    /** Shapes by key, in registration order. */
    public Map<String, Shape> shapes() {
        return Collections.unmodifiableMap(shapes);
    }

    /** Total number of scalar parameters. */
    public long count() {
        return shapes.values().stream().mapToLong(Shape::size).sum();
    }

    NDArray register(String key, Shape shape, Init init) {
        if (shapes.containsKey(key)) {
            throw new IllegalStateException("parameter registered twice: " + key);
        }
        shapes.put(key, shape);
        if (manager == null) {
            return null;
        }
        NDArray array;
        switch (init.kind()) {
            case ZERO -> array = manager.zeros(shape, DataType.FLOAT32);
            case ONE -> array = manager.ones(shape, DataType.FLOAT32);
            default -> array = NativeArrays.create(manager,
                    random.fork(key).uniform(Math.toIntExact(shape.size()), -init.bound(), init.bound()), shape);
        }
        array.setName(key);
        arrays.put(key, array);
        return array;
    }

    /** How a parameter starts. */
    public record Init(Kind kind, double bound) {
        public enum Kind { ZERO, ONE, UNIFORM }

        public static final Init ZERO = new Init(Kind.ZERO, 0);
        public static final Init ONE = new Init(Kind.ONE, 0);

        /** PyTorch's default for Linear/Conv weights (Kaiming-uniform, a = √5) and biases: U(±1/√fan_in). */
        public static Init fanIn(long fanIn) {
            return new Init(Kind.UNIFORM, 1.0 / Math.sqrt(fanIn));
        }
    }
}
