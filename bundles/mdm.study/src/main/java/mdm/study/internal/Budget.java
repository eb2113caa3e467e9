package mdm.study.internal;

import mdm.api.MdmException;

/**
 * The budget every arm trains for: training images seen, optimiser steps or seconds of training.
 * Steps compare only arms that see the same number of images per step; images always compare.
 */
record Budget(Kind kind, long amount) {
    enum Kind { IMAGES, STEPS, SECONDS }

    static Budget of(StudyFile.BudgetFile f) {
        if (f == null) {
            throw new MdmException("the study has no budget: give one of budget: {images: N} (training images seen, "
                    + "comparable across batch sizes), {steps: N} or {seconds: N} (wall-clock training time)");
        }
        int given = (f.images() != null ? 1 : 0) + (f.steps() != null ? 1 : 0) + (f.seconds() != null ? 1 : 0);
        if (given != 1) {
            throw new MdmException("budget must give exactly one of images, steps or seconds, got " + given
                    + ": e.g. budget: {images: 100000}");
        }
        Budget b = f.images() != null ? new Budget(Kind.IMAGES, f.images())
                : f.steps() != null ? new Budget(Kind.STEPS, f.steps()) : new Budget(Kind.SECONDS, f.seconds());
        if (b.amount < 1) {
            throw new MdmException("budget." + b.kind.name().toLowerCase() + " must be at least 1, got " + b.amount);
        }
        return b;
    }

    String describe() {
        return switch (kind) {
            case IMAGES -> String.format("%,d training images", amount);
            case STEPS -> String.format("%,d optimiser steps", amount);
            case SECONDS -> String.format("%,d s of training", amount);
        };
    }

    String key() {
        return kind.name().toLowerCase();
    }
}
