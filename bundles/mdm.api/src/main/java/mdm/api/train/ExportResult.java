package mdm.api.train;

import java.nio.file.Path;
import java.util.List;

/**
 * What an export wrote.
 *
 * @param folder     the folder written
 * @param files      the files in it, in the order written
 * @param checkpoint the checkpoint folder exported
 * @param step       its training step
 * @param notCarried what the format cannot hold and was left behind (optimiser state, data position, ...)
 */
public record ExportResult(Path folder, List<String> files, Path checkpoint, long step, List<String> notCarried) {
    public ExportResult {
        files = List.copyOf(files);
        notCarried = List.copyOf(notCarried);
    }
}
