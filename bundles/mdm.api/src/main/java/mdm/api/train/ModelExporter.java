package mdm.api.train;

import org.osgi.annotation.versioning.ProviderType;

/** Writes a checkpoint in another framework's format (the reverse of {@link ModelImporter}). */
@ProviderType
public interface ModelExporter {
    /** The formats {@link #exportModel} writes, e.g. {@code ml-mdm}. */
    java.util.List<String> formats();

    /**
     * @throws mdm.api.MdmException for an unknown format, a folder that is not a checkpoint, a model the format
     *                              cannot represent, or an output folder that exists and is not empty
     */
    ExportResult exportModel(ExportRequest request);
}
