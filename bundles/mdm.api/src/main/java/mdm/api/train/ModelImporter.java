package mdm.api.train;

import java.nio.file.Path;
import org.osgi.annotation.versioning.ProviderType;

/** Turns an ml-mdm model (YAML + weights) into a checkpoint that the generator can sample from. */
@ProviderType
public interface ModelImporter {
    /**
     * @return the checkpoint folder written
     * @throws mdm.api.MdmException when the weights do not fit the configuration (listing the keys)
     */
    Path importModel(ImportRequest request);
}
