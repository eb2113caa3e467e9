package mdm.eval.internal;

import java.util.List;
import java.util.Map;
import mdm.api.Components;
import mdm.api.eval.FeatureMetric;
import mdm.api.eval.Features;
import mdm.eval.metrics.Accuracy;
import org.osgi.service.component.annotations.Component;

/** {@code accuracy}: how often the feature network's classifier agrees with the label or caption asked for. */
@Component(service = FeatureMetric.class, property = {Components.NAME + "=accuracy", Components.KIND + "=" + Components.EVALUATOR})
public final class AccuracyMetric implements FeatureMetric {
    @Override
    public List<String> figures() {
        return List.of("accuracy");
    }

    @Override
    public Map<String, Double> compare(Features real, Features generated, long seed) {
        return Accuracy.compute(generated);
    }
}
