package mdm.trainer.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import mdm.api.train.Progress;

/**
 * {@code events.log} in the run folder: every event of the run (stages, checkpoints, resumes,
 * skipped steps, the latent scale factor, …) with its time, appended across interruptions and
 * resumes. Whoever watches a job sees events only while watching; the file keeps them for anyone
 * who looks later, also after a {@code kill -9} that came before the shell printed the line.
 */
final class EventLog implements RunControl {
    static final String FILE = "events.log";

    private final RunControl delegate;
    private final Path file;
    private boolean broken;

    EventLog(RunControl delegate, Path runFolder) {
        this.delegate = delegate;
        this.file = runFolder.resolve(FILE);
    }

    @Override
    public String stopRequested() {
        return delegate.stopRequested();
    }

    @Override
    public void progress(Progress progress) {
        delegate.progress(progress);
    }

    @Override
    public void event(String message) {
        append(message);
        delegate.event(message);
    }

    /** The line is written (and forced out) before the watchers hear of it. */
    private synchronized void append(String message) {
        if (broken) {
            return;
        }
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, Instant.now().truncatedTo(ChronoUnit.MILLIS) + " " + message + "\n",
                    StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                    StandardOpenOption.WRITE);
        } catch (IOException e) {
            // the record of events is a convenience: losing it must not stop training (a full disk
            // is caught where it matters, at the checkpoint); say so once and go on
            broken = true;
            delegate.event("cannot write " + file + " (" + e + "): events are no longer recorded there");
        }
    }
}
