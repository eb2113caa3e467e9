package mdm.api.eval;

import java.util.function.Consumer;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Measures images against real data in a feature network's space. Features of the real data are
 * computed once and cached in the work folder (keyed by dataset, options and the network's weights).
 */
@ProviderType
public interface SampleQuality {
    /**
     * Checks the request before anything is generated: metrics and feature network exist, N fits.
     *
     * @throws mdm.api.MdmException naming what is wrong and how to fix it
     */
    void check(QualityRequest request);

    /** Generated images (from {@code supply}, in batches) against the dataset's training data. */
    QualityReport measure(QualityRequest request, SampleSupply supply, Consumer<EvalProgress> progress);

    /**
     * The floor: held-out real images (the test split, or fresh draws of a generated dataset)
     * against the training data, measured exactly as generated images would be.
     */
    QualityReport measureHeldOut(QualityRequest request, Consumer<EvalProgress> progress);
}
