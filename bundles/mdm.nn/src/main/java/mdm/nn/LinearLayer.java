package mdm.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import mdm.core.tensor.FlopCount;

/** {@code nn.Linear}: weight (out, in), optional bias (out). */
public final class LinearLayer {
    private final NDArray weight;
    private final NDArray bias;
    private final String path;

    /**
     * @param zero start at zero (the reference's {@code zero_module})
     */
    public LinearLayer(Params p, long in, long out, boolean bias, boolean zero) {
        this.path = p.path();
        ParamStore.Init init = zero ? ParamStore.Init.ZERO : ParamStore.Init.fanIn(in);
        this.weight = p.tensor("weight", new Shape(out, in), init);
        this.bias = bias ? p.tensor("bias", new Shape(out), init) : null;
    }

    public NDArray forward(NDArray x) {
        NDArray y = Linear.linear(x, weight, bias).singletonOrThrow();
        FlopCount.linear(y, weight);
        return y;
    }

    public NDArray weight() {
        return weight;
    }

    public NDArray bias() {
        return bias;
    }

    public String path() {
        return path;
    }
}
