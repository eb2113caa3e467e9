package mdm.api.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.osgi.annotation.versioning.ConsumerType;

/** Standard normal draws, seeded by the caller, so that sampling is reproducible (and replayable in tests). */
@ConsumerType
@FunctionalInterface
public interface NoiseSource {
    NDArray normal(Shape shape, NDManager manager);
}
