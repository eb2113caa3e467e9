package mdm.core.io;

import ai.djl.ndarray.NDArray;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * What an ml-mdm training checkpoint yields (mdm-facts §6.1).
 *
 * @param stateDict      the vision model's weights, in file order
 * @param scalars        the checkpoint's plain top-level values ({@code batch_num}, {@code loss},
 *                       {@code best_avg_loss}, ...): numbers, strings and booleans only
 * @param skippedGlobals the classes and functions the file pickles outside the tensors (e.g.
 *                       {@code argparse.Namespace}, legacy {@code models.unet.UNetConfig}), in first-seen order;
 *                       none of them was constructed or called
 */
public record MlMdmCheckpoint(Map<String, NDArray> stateDict, Map<String, Object> scalars,
        List<String> skippedGlobals) {
    public MlMdmCheckpoint {
        stateDict = Collections.unmodifiableMap(stateDict);
        scalars = Collections.unmodifiableMap(scalars);
        skippedGlobals = List.copyOf(skippedGlobals);
    }
}
