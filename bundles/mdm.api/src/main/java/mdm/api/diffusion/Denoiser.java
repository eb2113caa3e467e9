package mdm.api.diffusion;

import ai.djl.ndarray.NDArray;
import java.util.List;
import mdm.api.model.Conditioning;
import org.osgi.annotation.versioning.ConsumerType;

/** The model as a sampler sees it: raw predictions per level for x_t at a training step index. */
@ConsumerType
@FunctionalInterface
public interface Denoiser {
    List<NDArray> predict(List<NDArray> noisy, NDArray modelTimes, Conditioning conditioning);
}
