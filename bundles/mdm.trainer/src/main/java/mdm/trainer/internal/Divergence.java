package mdm.trainer.internal;

import java.util.Locale;
import mdm.api.MdmException;

/**
 * Counts optimiser steps skipped because the loss or the gradient norm was not finite. After
 * {@code limit} such steps in a row the run has diverged: it ends with a message that names the
 * step, the loss, the last good checkpoint and the learning rate to lower.
 */
final class Divergence {
    private final int limit;
    private long consecutive;
    private long total;

    Divergence(int limit, long alreadySkipped) {
        this.limit = limit;
        this.total = alreadySkipped;
    }

    /** Records whether a step was skipped. */
    void record(boolean skipped) {
        if (skipped) {
            consecutive++;
            total++;
        } else {
            consecutive = 0;
        }
    }

    /**
     * Throws once {@code limit} steps in a row were skipped.
     *
     * @param lastGoodCheckpoint the newest checkpoint's step, or −1 when none was written
     */
    void failIfDiverged(long step, double loss, double lr, long lastGoodCheckpoint) {
        if (consecutive >= limit) {
            throw new MdmException(String.format(Locale.ROOT,
                    "training diverged at step %d (loss %s); %s; lower the learning rate (now %s)", step,
                    format(loss), lastGoodCheckpoint < 0 ? "no checkpoint was written before it"
                            : "the last good checkpoint is step " + lastGoodCheckpoint, format(lr))
                    + " (" + consecutive + " steps in a row had a non-finite loss or gradient; "
                    + "training.max_skipped_steps is " + limit + ")");
        }
    }

    long consecutive() {
        return consecutive;
    }

    long total() {
        return total;
    }

    private static String format(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "Infinity" : "-Infinity";
        }
        return String.format(Locale.ROOT, "%.4g", v);
    }
}
