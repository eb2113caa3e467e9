package mdm.api.train;

import java.nio.file.Path;

/**
 * What to train.
 *
 * @param spec   the experiment spec file (JSON or YAML)
 * @param steps  overrides the total steps (stages are shortened proportionally), or null
 * @param output overrides the spec's output folder, or null
 * @param resume continue from the latest checkpoint in the output folder
 */
public record TrainRequest(Path spec, Long steps, Path output, boolean resume) {
}
