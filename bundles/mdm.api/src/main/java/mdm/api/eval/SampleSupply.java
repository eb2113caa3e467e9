package mdm.api.eval;

import java.util.List;
import mdm.api.data.Sample;
import org.osgi.annotation.versioning.ConsumerType;

/** Hands out generated images batch by batch, so that only their features need to be kept. */
@ConsumerType
@FunctionalInterface
public interface SampleSupply {
    /** The next {@code count} images, each with the label or caption it was generated from. */
    List<Sample> next(int count);
}
