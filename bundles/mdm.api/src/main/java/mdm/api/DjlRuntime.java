package mdm.api;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The started DJL engine. Every tensor-using component references this service, so none of them
 * touches DJL before the engine has been started offline with the right class loader.
 */
@ProviderType
public interface DjlRuntime {
    /** The device tensors are placed on by default (from configuration: cpu, gpu, gpu:N). */
    Device device();

    /** All devices a data-parallel job may use; the first is {@link #device()}. */
    List<Device> devices();

    /** A new manager on {@link #device()}, child of the runtime's root manager; the caller closes it. */
    NDManager newManager();

    /** A new manager on one of {@link #devices()} (data-parallel replicas); the caller closes it. */
    NDManager newManager(Device device);

    /** DJL version, e.g. 0.33.0. */
    String djlVersion();

    /** Engine name and version, e.g. PyTorch 2.5.1. */
    String engineVersion();

    /** The runtime's work folder (native cache, job outputs by default). */
    Path workDirectory();
}
