package mdm.core.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;

/**
 * Activations written with tensor-only operations, safe under autograd (DJL's {@code swish}
 * multiplies by a Java number, see {@link Scalars}).
 */
public final class Activations {
    private Activations() {
    }

    /** SiLU (swish with β = 1): {@code x · sigmoid(x)}. */
    public static NDArray silu(NDArray x) {
        return x.mul(Activation.sigmoid(x));
    }

    /** GELU with the exact erf form (PyTorch's default {@code approximate='none'}). */
    public static NDArray gelu(NDArray x) {
        return Activation.gelu(x);
    }
}
