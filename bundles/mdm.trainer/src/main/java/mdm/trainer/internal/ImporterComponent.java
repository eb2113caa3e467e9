package mdm.trainer.internal;

import java.nio.file.Path;
import mdm.api.DjlRuntime;
import mdm.api.train.ImportRequest;
import mdm.api.train.ModelImporter;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** The ml-mdm importer service. */
@Component(service = ModelImporter.class)
public class ImporterComponent implements ModelImporter {
    private final ImportService service;

    @Activate
    public ImporterComponent(@Reference DjlRuntime runtime, BundleContext context) {
        this.service = new ImportService(new OsgiComponentRegistry(context), runtime);
    }

    @Override
    public Path importModel(ImportRequest request) {
        return service.importModel(request);
    }
}
