package mdm.eval.internal;

import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import mdm.api.Components;
import mdm.api.DjlRuntime;
import mdm.api.eval.FeatureMetric;
import mdm.api.eval.Features;
import mdm.eval.metrics.KernelDistance;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code kid}: the kernel distance, mean ({@code kid}) and standard deviation ({@code kid_std}) over
 * 100 random subsets of 1,000, and on the whole sets ({@code kid_exact}).
 */
@Component(service = FeatureMetric.class, property = {Components.NAME + "=kid", Components.KIND + "=" + Components.EVALUATOR})
public final class KidMetric implements FeatureMetric {
    private final DjlRuntime runtime;

    @Activate
    public KidMetric(@Reference DjlRuntime runtime) {
        this.runtime = runtime;
    }

    @Override
    public List<String> figures() {
        return List.of("kid", "kid_std", "kid_exact");
    }

    @Override
    public Map<String, Double> compare(Features real, Features generated, long seed) {
        try (NDManager m = runtime.newManager()) {
            KernelDistance.Result r = KernelDistance.compute(real, generated, seed, m);
            Map<String, Double> out = new LinkedHashMap<>();
            out.put("kid", r.subsetMean());
            out.put("kid_std", r.subsetStd());
            out.put("kid_exact", r.exact());
            return out;
        }
    }
}
