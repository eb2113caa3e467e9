package mdm.api.runs;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The run folders under the runtime's work folder ({@code runs/} and {@code studies/}) and the
 * output folders of the trainer's jobs, read from disk on every call: runs of earlier sessions
 * show up too, and a checkpoint appears once it is complete.
 */
@ProviderType
public interface RunCatalog {
    /** Every run, most recently changed first. */
    List<RunInfo> runs();

    /**
     * The run in {@code folder}, or the run a checkpoint folder belongs to; empty when the folder
     * holds neither.
     */
    Optional<RunInfo> run(Path folder);
}
