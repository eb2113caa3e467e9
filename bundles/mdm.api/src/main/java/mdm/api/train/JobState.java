package mdm.api.train;

/** Where a job is in its life. */
public enum JobState {
    QUEUED, RUNNING, STOPPING, STOPPED, COMPLETED, FAILED;

    public boolean finished() {
        return this == STOPPED || this == COMPLETED || this == FAILED;
    }
}
