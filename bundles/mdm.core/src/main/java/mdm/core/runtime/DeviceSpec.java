package mdm.core.runtime;

import ai.djl.Device;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import mdm.api.MdmException;

/** Parses a device setting ({@code cpu}, {@code gpu}, {@code gpu:N}, {@code gpu:0,1}) and checks it against the engine. */
public final class DeviceSpec {
    private DeviceSpec() {
    }

    /**
     * @param spec     the configured value
     * @param gpuCount GPUs the engine sees
     * @return the devices, first one the default
     */
    public static List<Device> resolve(String spec, int gpuCount) {
        return resolve(spec, gpuCount, () -> "Build with 'mvn -Pcuda install' (CUDA 12.4 natives) on a machine with an "
                + "NVIDIA driver, or use your own CUDA PyTorch (see 'GPU with your own PyTorch' in README.md).");
    }

    /**
     * @param spec     the configured value
     * @param gpuCount GPUs the engine sees
     * @param why      why the engine sees no (more) GPUs and how to change that, for the error message
     * @return the devices, first one the default
     */
    public static List<Device> resolve(String spec, int gpuCount, Supplier<String> why) {
        String s = spec == null ? "cpu" : spec.trim().toLowerCase(Locale.ROOT);
        if (s.isEmpty() || s.equals("cpu")) {
            return List.of(Device.cpu());
        }
        List<Integer> ids = new ArrayList<>();
        if (s.equals("gpu") || s.equals("cuda")) {
            ids.add(0);
        } else if (s.startsWith("gpu:") || s.startsWith("cuda:")) {
            for (String part : s.substring(s.indexOf(':') + 1).split(",")) {
                try {
                    ids.add(Integer.parseInt(part.trim()));
                } catch (NumberFormatException e) {
                    throw new MdmException("device '" + spec + "' is not valid: use cpu, gpu, gpu:N or gpu:0,1");
                }
            }
        } else {
            throw new MdmException("device '" + spec + "' is not valid: use cpu, gpu, gpu:N or gpu:0,1");
        }
        List<Device> devices = new ArrayList<>();
        for (int id : ids) {
            if (id < 0 || id >= gpuCount) {
                throw new MdmException("device '" + spec + "' asks for GPU " + id + " but the PyTorch engine sees "
                        + gpuCount + " GPU(s); nothing runs on the CPU instead. Use --device cpu, or: " + why.get());
            }
            devices.add(Device.gpu(id));
        }
        return List.copyOf(devices);
    }
}
