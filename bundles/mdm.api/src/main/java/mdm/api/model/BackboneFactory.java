package mdm.api.model;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import mdm.api.Options;
import java.util.Map;
import org.osgi.annotation.versioning.ConsumerType;

/** Builds one kind of backbone; registered with {@code mdm.kind=backbone} and its {@code mdm.name}. */
@ConsumerType
public interface BackboneFactory {
    /**
     * Validates an ml-mdm model section (the {@code unet_config} mapping). Unknown fields are
     * errors naming the nearest valid field.
     *
     * @throws mdm.api.MdmException when the configuration is invalid
     */
    BackboneConfig parseConfig(Options unetConfig);

    /** Parameter shapes by state-dict key, computed without allocating the parameters. */
    Map<String, Shape> parameterShapes(BackboneConfig config);

    /** Builds the network with fresh parameters (reference initialisation) in {@code manager}. */
    Backbone create(BackboneConfig config, NDManager manager, long seed);
}
