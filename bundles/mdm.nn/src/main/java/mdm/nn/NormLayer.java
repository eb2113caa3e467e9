package mdm.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.norm.LayerNorm;
import mdm.core.tensor.GroupNorm;

/** The affine pair of {@code nn.GroupNorm} or {@code nn.LayerNorm} (weight ones, bias zeros, eps 1e-5). */
public final class NormLayer {
    private final NDArray weight;
    private final NDArray bias;
    private final long channels;
    private final String path;

    public NormLayer(Params p, long channels) {
        this.path = p.path();
        this.channels = channels;
        this.weight = p.tensor("weight", new Shape(channels), ParamStore.Init.ONE);
        this.bias = p.tensor("bias", new Shape(channels), ParamStore.Init.ZERO);
    }

    /** GroupNorm over (N, C, ...) with {@code groups} groups. */
    public NDArray groupNorm(NDArray x, int groups) {
        return GroupNorm.apply(x, groups, weight, bias, GroupNorm.EPS);
    }

    /** GroupNorm followed by the FiLM scale-shift {@code ·(1+scale)+shift} with per-sample (N, C) coefficients. */
    public NDArray groupNormScaleShift(NDArray x, int groups, NDArray scale, NDArray shift) {
        return GroupNorm.applyScaleShift(x, groups, weight, bias, scale, shift, GroupNorm.EPS);
    }

    /** LayerNorm over the last axis. */
    public NDArray layerNorm(NDArray x) {
        return LayerNorm.layerNorm(x, new Shape(channels), weight, bias, GroupNorm.EPS).singletonOrThrow();
    }

    public String path() {
        return path;
    }
}
