package mdm.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv1d;
import ai.djl.nn.convolutional.Conv2d;
import mdm.core.tensor.FlopCount;

/** {@code nn.Conv2d} or {@code nn.Conv1d} with a square kernel, "same"-style padding and bias. */
public final class ConvLayer {
    private final NDArray weight;
    private final NDArray bias;
    private final int dims;
    private final Shape stride;
    private final Shape padding;
    private final Shape dilation;
    private final String path;

    /**
     * @param dims   1 or 2 spatial dimensions
     * @param kernel kernel size (1 or 3 here)
     * @param stride 1 or 2
     * @param zero   start at zero (the reference's {@code zero_module})
     */
    public ConvLayer(Params p, int dims, long in, long out, int kernel, int stride, boolean zero) {
        this.path = p.path();
        this.dims = dims;
        long fanIn = in * (dims == 2 ? (long) kernel * kernel : kernel);
        ParamStore.Init init = zero ? ParamStore.Init.ZERO : ParamStore.Init.fanIn(fanIn);
        Shape w = dims == 2 ? new Shape(out, in, kernel, kernel) : new Shape(out, in, kernel);
        this.weight = p.tensor("weight", w, init);
        this.bias = p.tensor("bias", new Shape(out), init);
        int pad = kernel / 2;
        this.stride = dims == 2 ? new Shape(stride, stride) : new Shape(stride);
        this.padding = dims == 2 ? new Shape(pad, pad) : new Shape(pad);
        this.dilation = dims == 2 ? new Shape(1, 1) : new Shape(1);
    }

    /** A 2-D convolution. */
    public static ConvLayer conv2d(Params p, long in, long out, int kernel, int stride, boolean zero) {
        return new ConvLayer(p, 2, in, out, kernel, stride, zero);
    }

    public NDArray forward(NDArray x) {
        NDArray y = dims == 2 ? Conv2d.conv2d(x, weight, bias, stride, padding, dilation, 1).singletonOrThrow()
                : Conv1d.conv1d(x, weight, bias, stride, padding, dilation, 1).singletonOrThrow();
        FlopCount.convolution(y, weight);
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
