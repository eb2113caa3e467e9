package mdm.api.train;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.osgi.annotation.versioning.ProviderType;

/** A training run in the background. */
@ProviderType
public interface Job {
    String id();

    ExperimentSpec spec();

    JobState state();

    Progress progress();

    /** The run's output folder (checkpoints, metrics, curves, samples). */
    Path output();

    /** Why it failed or was stopped, if it did. */
    Optional<String> reason();

    /** Asks the job to write a checkpoint and stop at the next step boundary. */
    void stop();

    /** Waits until the job has finished; false on timeout. */
    boolean await(long timeout, TimeUnit unit) throws InterruptedException;

    void addListener(ProgressListener listener);

    void removeListener(ProgressListener listener);
}
