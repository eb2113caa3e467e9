package mdm.api.runs;

import java.nio.file.Path;
import java.time.Instant;

/**
 * A complete checkpoint.
 *
 * @param folder  the checkpoint folder, absolute (pass it to the Generator)
 * @param step    optimiser steps over all stages when it was written
 * @param stage   the name of the stage it was written in, or "" when its state does not say
 * @param last    whether it was written at the end of training
 * @param written when it was written
 */
public record CheckpointInfo(Path folder, long step, String stage, boolean last, Instant written) {
}
