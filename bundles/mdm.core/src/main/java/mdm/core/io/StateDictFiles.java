package mdm.core.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Reads a state dict from any supported file: {@code .npz}, {@code .safetensors}, PyTorch zip
 * {@code .pt}/{@code .pth}/{@code .bin}. The format is recognised from the content.
 */
public final class StateDictFiles {
    private StateDictFiles() {
    }

    /**
     * Name → array in file order, created in {@code manager} (close the manager, or the arrays, when done).
     * PyTorch files load like {@code torch.load(weights_only=True)}: anything but tensors, storages and ordered
     * dicts is refused before it is constructed. bfloat16 loads as float32 and int16 as int32 (exact).
     *
     * @throws mdm.api.MdmException for a missing file, an unknown format, a truncated or corrupt file (naming
     *                              the entry), or a pickle that names anything outside the allow list
     */
    public static Map<String, NDArray> read(Path file, NDManager manager) {
        switch (TensorFileFormat.of(file)) {
            case NPZ:
                return Npz.read(file, manager);
            case SAFETENSORS:
                return Safetensors.read(file, manager);
            default:
                return TorchZip.read(file, manager);
        }
    }

    /**
     * Like {@link #read}, but for ml-mdm training checkpoints (mdm-facts §6.1): from a PyTorch file, only the
     * {@code state_dict} entry is materialised; the pickled argparse/dataclass/enum objects beside it become
     * inert names that are never constructed, listed in {@link MlMdmCheckpoint#skippedGlobals()}. Other formats
     * give their whole content as the state dict.
     */
    public static MlMdmCheckpoint readMlMdmCheckpoint(Path file, NDManager manager) {
        if (TensorFileFormat.of(file) == TensorFileFormat.TORCH_ZIP) {
            return TorchZip.readMlMdmCheckpoint(file, manager);
        }
        return new MlMdmCheckpoint(read(file, manager), Map.of(), List.of());
    }
}
