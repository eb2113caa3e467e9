package mdm.trainer.internal;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import mdm.api.DjlRuntime;
import mdm.api.runs.RunCatalog;
import mdm.api.runs.RunInfo;
import mdm.api.train.Job;
import mdm.api.train.Trainer;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/** The run catalog: the work folder's runs plus the outputs of the trainer's jobs, wherever they are. */
@Component(service = RunCatalog.class)
public class RunCatalogComponent implements RunCatalog {
    private final RunScanner scanner;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile Trainer trainer;

    @Activate
    public RunCatalogComponent(@Reference DjlRuntime runtime) {
        this.scanner = new RunScanner(runtime.workDirectory());
    }

    @Override
    public List<RunInfo> runs() {
        Trainer t = trainer;
        return scanner.runs(t == null ? List.of() : t.jobs().stream().map(Job::output).toList());
    }

    @Override
    public Optional<RunInfo> run(Path folder) {
        return scanner.run(folder);
    }
}
