package mdm.api.conditioning;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import mdm.api.data.DatasetInfo;
import org.osgi.annotation.versioning.ProviderType;

/** A conditioner by name ({@code mdm.kind=conditioner}): class, t5, learned-text, frames. */
@ProviderType
public interface ConditionerFactory {
    /**
     * Validates options against the data and says the feature width, without building anything.
     *
     * @throws mdm.api.MdmException naming the bad option and how to fix it
     */
    int featureDim(JsonNode options, DatasetInfo data);

    /** Builds the conditioner; parameters (if any) live in {@code manager}. */
    Conditioner create(JsonNode options, DatasetInfo data, NDManager manager, long seed);
}
