package mdm.core.optim;

import java.util.Locale;

/**
 * Linear warm-up then constant or cosine learning rate. The reference warms up with
 * max(step, 1)/warmup and stays constant; cosine decays to {@code minRatio·lr} at the last step.
 */
public record LearningRate(double base, long warmupSteps, Decay decay, long totalSteps, double minRatio) {
    public enum Decay {
        CONSTANT, COSINE;

        public static Decay parse(String s) {
            try {
                return valueOf(s.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new mdm.api.MdmException("unknown lr schedule '" + s + "': use constant or cosine");
            }
        }
    }

    public LearningRate {
        if (base <= 0) {
            throw new IllegalArgumentException("lr must be positive: " + base);
        }
        if (warmupSteps < 0 || totalSteps < 0) {
            throw new IllegalArgumentException("warmup_steps and steps must not be negative");
        }
        if (minRatio < 0 || minRatio > 1) {
            throw new IllegalArgumentException("min_lr_ratio must lie in [0, 1]: " + minRatio);
        }
    }

    /** The learning rate of optimiser step {@code step} (1-based). */
    public double at(long step) {
        double warm = warmupSteps > 0 ? Math.min(1.0, Math.max(step, 1) / (double) warmupSteps) : 1.0;
        if (decay == Decay.CONSTANT || totalSteps <= warmupSteps) {
            return base * warm;
        }
        double progress = Math.min(1.0, Math.max(0.0, (step - warmupSteps) / (double) (totalSteps - warmupSteps)));
        double cosine = 0.5 * (1 + Math.cos(Math.PI * progress));
        return base * warm * (minRatio + (1 - minRatio) * cosine);
    }
}
