package mdm.trainer.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import mdm.core.config.Json;
import mdm.core.io.Safetensors;

/** A checkpoint read back for resuming: its record, its state, and its tensors (owned by the given manager). */
record LoadedCheckpoint(Path folder, JsonNode experiment, CheckpointState state, Map<String, NDArray> model,
                        Map<String, NDArray> ema, Map<String, NDArray> optimizer, Map<String, NDArray> conditioner,
                        Map<String, NDArray> conditionerEma) {

    /** Reads a checkpoint that {@link CheckpointStore#newestUsable} has verified. */
    static LoadedCheckpoint read(CheckpointStore.Usable usable, NDManager manager) {
        Path dir = usable.folder();
        return new LoadedCheckpoint(dir, Json.read(dir.resolve(CheckpointStore.EXPERIMENT)), usable.state(),
                tensors(dir.resolve(CheckpointStore.MODEL), manager), tensors(dir.resolve(CheckpointStore.EMA), manager),
                tensors(dir.resolve(CheckpointStore.OPTIMIZER), manager),
                tensors(dir.resolve(CheckpointStore.CONDITIONER), manager),
                tensors(dir.resolve(CheckpointStore.CONDITIONER_EMA), manager));
    }

    private static Map<String, NDArray> tensors(Path file, NDManager manager) {
        return Files.exists(file) ? Safetensors.read(file, manager) : Map.of();
    }
}
