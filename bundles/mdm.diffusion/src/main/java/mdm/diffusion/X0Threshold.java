package mdm.diffusion;

import ai.djl.ndarray.NDArray;
import mdm.api.diffusion.Thresholding;
import mdm.core.tensor.Scalars;

/**
 * Keeps a predicted x0 in range while sampling (ml-mdm {@code clip_sample}, fact sheet §4.3). The
 * level's signal scale s maps x0 back to image units first: clip → clip(x0·s, −1, 1)/s; dynamic
 * (Imagen) → per-example q = quantile_{0.995}(|x0·s|) clamped to [1, 100], clamp(x0·s, −q, q)/q/s;
 * dynamic_if (DeepFloyd) the same with quantile 0.95 and maximum 1.5. Sampling only (no autograd).
 */
public final class X0Threshold {
    private X0Threshold() {
    }

    public static NDArray apply(NDArray x0, Thresholding kind, double signalScale) {
        return switch (kind) {
            case NONE -> x0;
            case CLIP -> Scalars.mul(x0, signalScale).clip(-1, 1).div(Scalars.of(x0.getManager(), signalScale));
            case DYNAMIC -> dynamic(x0, signalScale, 0.995f, 100f);
            case DYNAMIC_IF -> dynamic(x0, signalScale, 0.95f, 1.5f);
        };
    }

    private static NDArray dynamic(NDArray x0, double signalScale, float ratio, float max) {
        long batch = x0.getShape().get(0);
        NDArray flat = Scalars.mul(x0, signalScale).reshape(batch, -1);
        NDArray q = quantile(flat.abs(), ratio).clip(1, max).reshape(batch, 1);
        NDArray out = flat.minimum(q).maximum(q.neg()).div(q).reshape(x0.getShape());
        return Scalars.div(out, signalScale);
    }

    /**
     * torch.quantile(x, q, dim=1) with linear interpolation, rank and weight in float32 as torch
     * computes them, and torch's two-sided lerp.
     */
    static NDArray quantile(NDArray rows, float q) {
        long n = rows.getShape().get(1);
        NDArray sorted = rows.sort(1);
        float rank = q * (n - 1);
        long below = (long) Math.floor(rank);
        long above = (long) Math.ceil(rank);
        float weight = rank - below;
        NDArray low = sorted.get(":, " + below);
        NDArray high = sorted.get(":, " + above);
        NDArray diff = high.sub(low);
        return weight < 0.5f
                ? low.add(Scalars.mul(diff, weight))
                : high.sub(Scalars.mul(diff, 1f - weight));
    }
}
