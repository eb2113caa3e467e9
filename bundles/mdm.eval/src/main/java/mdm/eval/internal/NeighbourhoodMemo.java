package mdm.eval.internal;

import mdm.api.DjlRuntime;
import mdm.api.eval.Features;
import mdm.eval.metrics.Neighbourhoods;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Precision/recall and density/coverage come from the same distance matrices: the last comparison is
 * kept, so that asking for both ({@code pr} then {@code dc}) computes the distances once.
 */
@Component(service = NeighbourhoodMemo.class)
public final class NeighbourhoodMemo {
    static final int K_PR = 3;
    static final int K_DC = 5;

    private final DjlRuntime runtime;
    private Features lastReal;
    private Features lastGenerated;
    private Neighbourhoods.Result last;

    @Activate
    public NeighbourhoodMemo(@Reference DjlRuntime runtime) {
        this.runtime = runtime;
    }

    synchronized Neighbourhoods.Result of(Features real, Features generated) {
        if (real != lastReal || generated != lastGenerated) {
            try (var m = runtime.newManager()) {
                last = Neighbourhoods.compute(real, generated, K_PR, K_DC, m);
            }
            lastReal = real;
            lastGenerated = generated;
        }
        return last;
    }
}
