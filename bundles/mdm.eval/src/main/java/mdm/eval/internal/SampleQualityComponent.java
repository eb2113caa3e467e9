package mdm.eval.internal;

import java.util.function.Consumer;
import mdm.api.Components;
import mdm.api.DjlRuntime;
import mdm.api.eval.EvalProgress;
import mdm.api.eval.QualityReport;
import mdm.api.eval.QualityRequest;
import mdm.api.eval.SampleQuality;
import mdm.api.eval.SampleSupply;
import mdm.eval.quality.QualityService;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** The sample-quality service; its reference features are cached under {@code <work>/eval-cache}. */
@Component(service = SampleQuality.class,
        property = {Components.NAME + "=mdm", Components.KIND + "=" + Components.SAMPLE_QUALITY})
public final class SampleQualityComponent implements SampleQuality {
    private final QualityService service;

    @Activate
    public SampleQualityComponent(@Reference DjlRuntime runtime, BundleContext context) {
        this.service = new QualityService(new OsgiEvalRegistry(context), runtime.workDirectory());
    }

    @Override
    public void check(QualityRequest request) {
        service.check(request);
    }

    @Override
    public QualityReport measure(QualityRequest request, SampleSupply supply, Consumer<EvalProgress> progress) {
        return service.measure(request, supply, progress);
    }

    @Override
    public QualityReport measureHeldOut(QualityRequest request, Consumer<EvalProgress> progress) {
        return service.measureHeldOut(request, progress);
    }
}
