package mdm.api.model;

import mdm.api.Options;
import java.util.List;
import org.osgi.annotation.versioning.ConsumerType;

/** A validated backbone configuration (ml-mdm field names), after the reference's in-place rewrites. */
@ConsumerType
public interface BackboneConfig {
    /** The backbone component that parsed it, e.g. {@code nested_unet}. */
    String backbone();

    /**
     * Spatial scale of each output level relative to the innermost, highest first: nest_ratio + [1],
     * e.g. [2, 1] for 32² around 16², [1] for a plain UNet.
     */
    List<Integer> levelScales();

    /** Width of the conditioning tokens the backbone expects (conditioning_feature_dim before projection). */
    int conditioningFeatureDim();

    /** Whether this is a temporal (video) model. */
    boolean temporal();

    /**
     * Per level, highest first: whether the level's training target is made from the level above
     * by keeping every (r²)-th frame of a video mosaic rather than by area down-sampling. All false
     * for image models.
     */
    default List<Boolean> frameSubsampled() {
        return java.util.Collections.nCopies(levelScales().size(), false);
    }

    /** The configuration as ml-mdm YAML/JSON would write it (unet_config form), as options. */
    Options toOptions();
}
