package mdm.api.eval;

import java.util.List;
import java.util.Map;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A sample-quality metric on feature vectors ({@code mdm.kind=evaluator}, e.g. {@code fd}, {@code kid},
 * {@code pr}, {@code dc}, {@code accuracy}): real against generated, in double precision.
 */
@ConsumerType
public interface FeatureMetric {
    /** The figures it reports, e.g. {@code precision, recall}. */
    List<String> figures();

    /**
     * @param real      features of real images (the reference)
     * @param generated features of generated images
     * @param seed      seed of any random subsets it draws
     * @return figure name → value; never NaN
     * @throws mdm.api.MdmException when the sets are too small or not comparable
     */
    Map<String, Double> compare(Features real, Features generated, long seed);
}
