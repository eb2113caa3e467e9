package mdm.core.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.pooling.Pool;
import mdm.api.MdmException;

/**
 * Box-filter down-sampling of NCHW images by an integer factor: each output pixel is the mean of a
 * factor×factor block (PyTorch {@code avg_pool2d(x, factor)}). This is the paper's D^r(x), the
 * pyramid from which every lower resolution level of MDM is built. Differentiable.
 */
public final class AreaDownsample {
    private AreaDownsample() {
    }

    /** {@code x} (N, C, H, W) down-sampled by {@code factor}; H and W must be multiples of it. */
    public static NDArray apply(NDArray x, int factor) {
        Shape shape = x.getShape();
        if (shape.dimension() != 4) {
            throw new MdmException("area down-sampling expects N×C×H×W images, got shape " + shape);
        }
        if (factor < 1 || shape.get(2) % factor != 0 || shape.get(3) % factor != 0) {
            throw new MdmException("cannot down-sample " + shape.get(2) + "×" + shape.get(3) + " images by "
                    + factor + ": the side must be a multiple of the factor (check the image size against the"
                    + " backbone's level scales)");
        }
        if (factor == 1) {
            return x.duplicate();
        }
        Shape kernel = new Shape(factor, factor);
        return Pool.avgPool2d(x, kernel, kernel, new Shape(0, 0), false, true);
    }
}
