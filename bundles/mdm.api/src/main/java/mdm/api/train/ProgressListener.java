package mdm.api.train;

import org.osgi.annotation.versioning.ConsumerType;

/** Receives a job's progress (on the job's thread: return quickly). */
@ConsumerType
public interface ProgressListener {
    void onProgress(Job job, Progress progress);

    /** Called once when the job has finished, whatever the reason. */
    default void onFinished(Job job) {
    }
}
