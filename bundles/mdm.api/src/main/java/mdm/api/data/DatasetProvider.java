package mdm.api.data;

import mdm.api.Options;
import org.osgi.annotation.versioning.ConsumerType;

/** A dataset by name ({@code mdm.kind=dataset}): shapes, fashion-mnist, image-folder, tsv-tar, video-frames. */
@ConsumerType
public interface DatasetProvider {
    /**
     * Validates options and says what the data looks like.
     *
     * @throws mdm.api.MdmException naming the bad option or missing file and how to fix it
     */
    DatasetInfo describe(Options options);

    /** Opens a stream; the same options, seed and position always give the same samples. */
    SampleStream open(Options options, long seed, StreamPosition start);
}
