package mdm.api.diffusion;

/**
 * The schedule one resolution level actually uses: γ after any resolution shift, and the signal
 * scale its clean image is divided by (1 when the schedule is shifted instead).
 */
public record LevelSchedule(double[] gammas, double signalScale) {
    /** N, the number of diffusion steps. */
    public int steps() {
        return gammas.length - 1;
    }
}
