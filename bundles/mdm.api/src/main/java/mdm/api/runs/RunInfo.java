package mdm.api.runs;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * A run folder: what one training run (or a resumed one) wrote.
 *
 * @param folder      the run folder, absolute
 * @param experiment  the experiment's name as its spec gives it, or the folder name when unknown
 * @param checkpoints complete checkpoints, oldest first
 * @param metrics     its {@code metrics.jsonl} (it may not exist yet)
 * @param samples     its folder of sample grids (it may not exist yet)
 * @param modified    when anything in it last changed, as far as the catalog looks
 */
public record RunInfo(Path folder, String experiment, List<CheckpointInfo> checkpoints, Path metrics, Path samples,
                      Instant modified) {
    public RunInfo {
        checkpoints = List.copyOf(checkpoints);
    }
}
