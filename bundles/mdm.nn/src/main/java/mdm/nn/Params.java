package mdm.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** A key prefix inside a {@link ParamStore}, mirroring one PyTorch module path (e.g. {@code down_blocks.0.resnets.1}). */
public final class Params {
    private final ParamStore store;
    private final String path;

    Params(ParamStore store, String path) {
        this.store = store;
        this.path = path;
    }

    /** The sub-module {@code name}. */
    public Params child(String name) {
        return new Params(store, path.isEmpty() ? name : path + "." + name);
    }

    /** The {@code index}-th entry of a module list. */
    public Params child(int index) {
        return child(Integer.toString(index));
    }

    /** This scope's module path, empty for the root. */
    public String path() {
        return path;
    }

    /** The module path of a sub-module, as recorded in traces. */
    public String path(String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    /** Registers {@code <path>.<name>}; returns null in shapes-only mode. */
    public NDArray tensor(String name, Shape shape, ParamStore.Init init) {
        return store.register(path(name), shape, init);
    }

    public ParamStore store() {
        return store;
    }
}
