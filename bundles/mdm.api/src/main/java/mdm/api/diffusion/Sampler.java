package mdm.api.diffusion;

import ai.djl.ndarray.NDArray;
import java.util.List;
import org.osgi.annotation.versioning.ConsumerType;

/** A sampler by name ({@code mdm.kind=sampler}): ddpm, ddim, dpm-solver++, … */
@ConsumerType
public interface Sampler {
    /** Runs the reverse process; returns the final sample per level, highest first, multiplied back by its signal scale (image units, not clipped). */
    List<NDArray> sample(SamplingRequest request);
}
