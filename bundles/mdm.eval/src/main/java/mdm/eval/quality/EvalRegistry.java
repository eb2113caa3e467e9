package mdm.eval.quality;

import java.util.List;
import mdm.api.data.DatasetProvider;
import mdm.api.eval.FeatureMetric;
import mdm.api.eval.FeatureNetwork;

/** The components a measurement uses, found by name (the service registry inside OSGi, a map in tests). */
public interface EvalRegistry {
    /** @throws mdm.api.MdmException naming the registered datasets when there is none of that name */
    DatasetProvider dataset(String name);

    /** Feature networks, highest ranked first. */
    List<FeatureNetwork> featureNetworks();

    /** A metric by name, or null. */
    FeatureMetric metric(String name);

    /** Names of the registered metrics. */
    List<String> metricNames();
}
