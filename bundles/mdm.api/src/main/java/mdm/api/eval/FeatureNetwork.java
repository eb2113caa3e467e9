package mdm.api.eval;

import java.util.List;
import mdm.api.data.Sample;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A feature network by name ({@code mdm.kind=featurenet}): images in, the activations of its
 * penultimate layer out. Every feature-space metric works in the space of one of these, chosen by
 * name or by the dataset it serves; a user registers their own (e.g. a port of Inception loaded
 * from a local file) as a service of this type.
 */
@ConsumerType
public interface FeatureNetwork {
    FeatureNetworkInfo info();

    /** Whether it was trained for images of this dataset (by dataset name). */
    default boolean supports(String datasetName) {
        return info().datasets().contains(datasetName);
    }

    /**
     * Embeds images (pixels in [-1, 1] as in {@link Sample}; other sizes and channel counts are
     * converted to its input; clips are embedded frame by frame and averaged) and checks each
     * against the label or caption it carries.
     *
     * @throws mdm.api.MdmException when pixels or features are not finite
     */
    Features embed(List<Sample> images);
}
