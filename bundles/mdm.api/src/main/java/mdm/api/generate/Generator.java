package mdm.api.generate;

import org.osgi.annotation.versioning.ProviderType;

/** Generates images from a checkpoint with the components its experiment names. */
@ProviderType
public interface Generator {
    /** @throws mdm.api.MdmException for a missing or incompatible checkpoint, unknown label, etc. */
    GenerationResult generate(GenerationRequest request);
}
