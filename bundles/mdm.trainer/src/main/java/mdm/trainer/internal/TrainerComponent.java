package mdm.trainer.internal;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import mdm.api.Components;
import mdm.api.DjlRuntime;
import mdm.api.train.ExperimentSpec;
import mdm.api.train.Job;
import mdm.api.train.TrainRequest;
import mdm.api.train.Trainer;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/** The trainer service; stopping its bundle checkpoints and stops every job first. */
@Component(service = Trainer.class, property = {Components.NAME + "=mdm", Components.KIND + "=" + Components.TRAINER})
public class TrainerComponent implements Trainer {
    private final TrainingService service;

    @Activate
    public TrainerComponent(@Reference DjlRuntime runtime, BundleContext context,
                            @Reference(service = LoggerFactory.class) Logger logger) {
        this.service = new TrainingService(new OsgiComponentRegistry(context), runtime, runtime.workDirectory(),
                ErrorLog.of(logger));
    }

    @Deactivate
    void deactivate() {
        service.close();
    }

    @Override
    public ExperimentSpec validate(Path spec) {
        return service.validate(spec);
    }

    @Override
    public Job start(TrainRequest request) {
        return service.start(request);
    }

    @Override
    public List<Job> jobs() {
        return service.jobs();
    }

    @Override
    public Optional<Job> job(String id) {
        return service.job(id);
    }
}
