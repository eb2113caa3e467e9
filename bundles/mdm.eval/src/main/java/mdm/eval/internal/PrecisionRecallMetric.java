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

/** {@code pr}: improved precision and recall with k = 3 nearest neighbours (Kynkäänniemi et al. 2019). */
@Component(service = FeatureMetric.class, property = {Components.NAME + "=pr", Components.KIND + "=" + Components.EVALUATOR})
public final class PrecisionRecallMetric implements FeatureMetric {
    private final NeighbourhoodMemo memo;

    @Activate
    public PrecisionRecallMetric(@Reference NeighbourhoodMemo memo) {
        this.memo = memo;
    }

    @Override
    public List<String> figures() {
        return List.of("precision", "recall");
    }

    @Override
    public Map<String, Double> compare(Features real, Features generated, long seed) {
        Neighbourhoods.Result r = memo.of(real, generated);
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("precision", r.precision());
        out.put("recall", r.recall());
        return out;
    }
}
