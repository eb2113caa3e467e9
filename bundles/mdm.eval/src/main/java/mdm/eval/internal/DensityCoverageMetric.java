package mdm.eval.internal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import mdm.api.Components;
import mdm.api.eval.FeatureMetric;
import mdm.api.eval.Features;
import mdm.eval.metrics.Neighbourhoods;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** {@code dc}: density and coverage with k = 5 nearest neighbours (Naeem et al. 2020). */
@Component(service = FeatureMetric.class, property = {Components.NAME + "=dc", Components.KIND + "=" + Components.EVALUATOR})
public final class DensityCoverageMetric implements FeatureMetric {
    private final NeighbourhoodMemo memo;

    @Activate
    public DensityCoverageMetric(@Reference NeighbourhoodMemo memo) {
        this.memo = memo;
    }

    @Override
    public List<String> figures() {
        return List.of("density", "coverage");
    }

    @Override
    public Map<String, Double> compare(Features real, Features generated, long seed) {
        Neighbourhoods.Result r = memo.of(real, generated);
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("density", r.density());
        out.put("coverage", r.coverage());
        return out;
    }
}
