package mdm.api.train;

import java.nio.file.Path;

/**
 * A checkpoint to write in another framework's format.
 *
 * @param checkpoint a checkpoint folder ({@code checkpoints/step-N}) or a run folder (its newest usable checkpoint)
 * @param output     the folder to write; it must not exist or be empty
 * @param format     the format: {@code ml-mdm} (the default when null)
 */
public record ExportRequest(Path checkpoint, Path output, String format) {
}
