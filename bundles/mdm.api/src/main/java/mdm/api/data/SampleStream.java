package mdm.api.data;

import org.osgi.annotation.versioning.ConsumerType;

/** An endless, deterministic stream of samples (epochs repeat with a fresh shuffle). */
@ConsumerType
public interface SampleStream extends AutoCloseable {
    /** The next sample; blocks while the decoders catch up. */
    Sample next();

    /** The position of the sample {@link #next()} returns next; opening at it resumes exactly. */
    StreamPosition position();

    @Override
    void close();
}
