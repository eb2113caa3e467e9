package mdm.api.study;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.osgi.annotation.versioning.ProviderType;

/** A study running in the background. */
@ProviderType
public interface StudyRun {
    String name();

    /** The study folder: runs, evaluations, report. */
    Path folder();

    StudyStatus status();

    /** Asks the running arm to checkpoint and the study to stop; starting it again resumes it. */
    void stop();

    /** Waits until the study has ended; false on timeout. */
    boolean await(long timeout, TimeUnit unit) throws InterruptedException;

    /** Why it failed or was stopped, if it did. */
    Optional<String> reason();

    /** Receives each line of the study's log from now on (on the study's thread: return quickly). */
    void addLogListener(Consumer<String> listener);

    void removeLogListener(Consumer<String> listener);
}
