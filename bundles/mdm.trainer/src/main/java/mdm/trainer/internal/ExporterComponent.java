package mdm.trainer.internal;

import java.util.List;
import mdm.api.DjlRuntime;
import mdm.api.train.ExportRequest;
import mdm.api.train.ExportResult;
import mdm.api.train.ModelExporter;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** The ml-mdm exporter service (the reverse of {@link ImporterComponent}). */
@Component(service = ModelExporter.class, property = "mdm.name=" + ExportService.FORMAT)
public class ExporterComponent implements ModelExporter {
    private final ExportService service;

    @Activate
    public ExporterComponent(@Reference DjlRuntime runtime, BundleContext context) {
        this.service = new ExportService(new OsgiComponentRegistry(context), runtime);
    }

    @Override
    public List<String> formats() {
        return service.formats();
    }

    @Override
    public ExportResult exportModel(ExportRequest request) {
        return service.exportModel(request);
    }
}
