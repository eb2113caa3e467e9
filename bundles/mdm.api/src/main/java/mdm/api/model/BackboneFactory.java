package mdm.api.model;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.osgi.annotation.versioning.ProviderType;

/** Builds one kind of backbone; registered with {@code mdm.kind=backbone} and its {@code mdm.name}. */
@ProviderType
public interface BackboneFactory {
    /**
     * Validates an ml-mdm model section (the {@code unet_config} mapping). Unknown fields are
     * errors naming the nearest valid field.
     *
     * @throws mdm.api.MdmException when the configuration is invalid
     */
    BackboneConfig parseConfig(JsonNode unetConfig);

    /** Parameter shapes by state-dict key, computed without allocating the parameters. */
    Map<String, Shape> parameterShapes(BackboneConfig config);

    /** Builds the network with fresh parameters (reference initialisation) in {@code manager}. */
    Backbone create(BackboneConfig config, NDManager manager, long seed);
}
