package mdm.trainer.internal;

import mdm.api.train.Progress;

/** How a training run talks to its job: stop requests in, progress and events out. */
interface RunControl {
    /** Non-null once someone asked the run to stop; says why. */
    String stopRequested();

    void progress(Progress progress);

    /** A line for whoever watches (stage started, checkpoint written, sample scores). */
    void event(String message);
}
