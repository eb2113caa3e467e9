package mdm.api.eval;

/**
 * How far a measurement is.
 *
 * @param phase     e.g. {@code reference}, {@code generating}, {@code metrics}
 * @param done      items done in this phase
 * @param total     items in this phase
 * @param perSecond items per second so far (0 when unknown)
 */
public record EvalProgress(String phase, long done, long total, double perSecond) {
    /** Seconds left at the current rate, or NaN. */
    public double etaSeconds() {
        return perSecond > 0 ? (total - done) / perSecond : Double.NaN;
    }
}
