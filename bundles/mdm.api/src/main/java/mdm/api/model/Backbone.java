package mdm.api.model;

import ai.djl.ndarray.NDArray;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A built denoising network. Its parameters carry the reference state-dict names, so ml-mdm
 * weights load by name. Forward takes one noisy image per level, highest resolution first; a
 * lower level's batch may be larger than a higher one's (the mixed batch).
 */
@ConsumerType
public interface Backbone extends AutoCloseable {
    BackboneConfig config();

    /** Parameters by reference state-dict key, in registration order. */
    Map<String, NDArray> parameters();

    /** Keys of parameters that training must leave unchanged (e.g. freeze_inner_unet). */
    Set<String> frozen();

    /**
     * Runs the network.
     *
     * @param noisy    x_t per level, highest resolution first
     * @param times    integer step index per sample (batch of the lowest level)
     * @param cond     conditioning for the lowest level's batch
     * @param training whether dropout and other training-only behaviour apply
     * @return the raw prediction per level, highest resolution first
     */
    List<NDArray> forward(List<NDArray> noisy, NDArray times, Conditioning cond, boolean training);

    @Override
    void close();
}
