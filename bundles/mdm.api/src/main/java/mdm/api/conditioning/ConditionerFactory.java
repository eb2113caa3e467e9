package mdm.api.conditioning;

import ai.djl.ndarray.NDManager;
import mdm.api.Options;
import mdm.api.data.DatasetInfo;
import org.osgi.annotation.versioning.ConsumerType;

/** A conditioner by name ({@code mdm.kind=conditioner}): class, t5, learned-text, frames. */
@ConsumerType
public interface ConditionerFactory {
    /**
     * Validates options against the data and says the feature width, without building anything.
     *
     * @throws mdm.api.MdmException naming the bad option and how to fix it
     */
    int featureDim(Options options, DatasetInfo data);

    /** Builds the conditioner; parameters (if any) live in {@code manager}. */
    Conditioner create(Options options, DatasetInfo data, NDManager manager, long seed);
}
