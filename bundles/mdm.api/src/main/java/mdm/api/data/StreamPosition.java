package mdm.api.data;

/** Where a sample stream stands: epoch and index within the epoch's (shuffled) order. Saved in checkpoints. */
public record StreamPosition(long epoch, long index) {
    public static final StreamPosition START = new StreamPosition(0, 0);
}
