package mdm.api.train;

/**
 * AdamW settings, learning-rate schedule, clipping, EMA and gradient accumulation.
 *
 * @param lrSchedule       constant or cosine (after a linear warm-up of warmupSteps)
 * @param minLrRatio       cosine floor as a fraction of lr
 * @param gradientClipNorm global-norm clipping threshold (0 = off)
 * @param emaDecay         EMA decay (0 = no EMA)
 * @param emaWarmup        ramp the EMA decay up as min(decay, (1+n)/(10+n))
 * @param accumulationSteps micro-batches per optimiser step
 */
public record OptimizerSpec(double lr, long warmupSteps, String lrSchedule, double minLrRatio, double beta1,
                            double beta2, double eps, double weightDecay, double gradientClipNorm, double emaDecay,
                            boolean emaWarmup, int accumulationSteps) {
}
