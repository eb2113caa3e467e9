package mdm.diffusion;

import ai.djl.ndarray.NDArray;
import mdm.api.diffusion.PredictionType;

/**
 * Conversions between what a network predicts (ε, x0 or v) and the clean image, and the training
 * targets (fact sheet §3.4), with x_t = √γ·x0 + √(1−γ)·ε and v = √γ·ε − √(1−γ)·x0. Every formula
 * keeps the reference's operation order, so float32 results agree to rounding. Model outputs are
 * always the left operand, so results land in the step's manager.
 */
public final class Predictions {
    private Predictions() {
    }

    /** x_t = √γ·x0 + √(1−γ)·ε. */
    public static NDArray noisy(NDArray x0, NDArray eps, NoiseLevel level) {
        return x0.mul(level.sqrtGamma()).add(eps.mul(level.sqrtOneMinusGamma()));
    }

    /** The clean image implied by a prediction at x_t. */
    public static NDArray toX0(PredictionType type, NDArray xt, NDArray pred, NoiseLevel level) {
        return switch (type) {
            case EPSILON -> xt.sub(pred.mul(level.sqrtOneMinusGamma())).div(level.sqrtGamma());
            case V -> xt.mul(level.sqrtGamma()).sub(pred.mul(level.sqrtOneMinusGamma()));
            case X0 -> pred;
        };
    }

    /** The prediction of {@code type} that corresponds to a clean image at x_t (undefined at γ = 1 for ε and v). */
    public static NDArray fromX0(PredictionType type, NDArray xt, NDArray x0, NoiseLevel level) {
        return switch (type) {
            case EPSILON -> xt.sub(x0.mul(level.sqrtGamma())).div(level.sqrtOneMinusGamma());
            case V -> xt.mul(level.sqrtGamma()).sub(x0).div(level.sqrtOneMinusGamma());
            case X0 -> x0;
        };
    }

    /** A prediction of one type expressed in another, via x0 (the identity when the types agree). */
    public static NDArray convert(PredictionType from, PredictionType to, NDArray xt, NDArray pred, NoiseLevel level) {
        if (from == to) {
            return pred;
        }
        return fromX0(to, xt, toX0(from, xt, pred, level), level);
    }

    /** The training target of {@code type} for clean image x0 and noise ε. */
    public static NDArray target(PredictionType type, NDArray x0, NDArray eps, NoiseLevel level) {
        return switch (type) {
            case EPSILON -> eps;
            case V -> eps.mul(level.sqrtGamma()).sub(x0.mul(level.sqrtOneMinusGamma()));
            case X0 -> x0;
        };
    }
}
