package mdm.eval.internal;

import java.util.List;
import java.util.Map;
import mdm.api.Components;
import mdm.api.DjlRuntime;
import mdm.api.eval.FeatureMetric;
import mdm.api.eval.Features;
import mdm.eval.metrics.FrechetDistance;
import ai.djl.ndarray.NDManager;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** {@code fd}: the Fréchet distance in the feature network's space (FID's formula with our own network). */
@Component(service = FeatureMetric.class, property = {Components.NAME + "=fd", Components.KIND + "=" + Components.EVALUATOR})
public final class FdMetric implements FeatureMetric {
    private final DjlRuntime runtime;

    @Activate
    public FdMetric(@Reference DjlRuntime runtime) {
        this.runtime = runtime;
    }

    @Override
    public List<String> figures() {
        return List.of("fd");
    }

    @Override
    public Map<String, Double> compare(Features real, Features generated, long seed) {
        try (NDManager m = runtime.newManager()) {
            return Map.of("fd", FrechetDistance.compute(real, generated, m));
        }
    }
}
