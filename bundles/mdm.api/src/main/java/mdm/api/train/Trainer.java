package mdm.api.train;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/** The trainer ({@code mdm.kind=trainer}, {@code mdm.name=mdm}): validates specs and runs jobs. */
@ProviderType
public interface Trainer {
    /**
     * Reads and validates a spec against the components registered now, without training.
     *
     * @throws mdm.api.MdmException naming what is wrong and how to fix it
     */
    ExperimentSpec validate(Path spec);

    /** Validates, then starts a job in the background. */
    Job start(TrainRequest request);

    /** Every job since the runtime started, oldest first. */
    List<Job> jobs();

    Optional<Job> job(String id);
}
