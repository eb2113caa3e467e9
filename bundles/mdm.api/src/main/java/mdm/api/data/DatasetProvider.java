package mdm.api.data;

import com.fasterxml.jackson.databind.JsonNode;
import org.osgi.annotation.versioning.ProviderType;

/** A dataset by name ({@code mdm.kind=dataset}): shapes, fashion-mnist, image-folder, tsv-tar, video-frames. */
@ProviderType
public interface DatasetProvider {
    /**
     * Validates options and says what the data looks like.
     *
     * @throws mdm.api.MdmException naming the bad option or missing file and how to fix it
     */
    DatasetInfo describe(JsonNode options);

    /** Opens a stream; the same options, seed and position always give the same samples. */
    SampleStream open(JsonNode options, long seed, StreamPosition start);
}
