package mdm.trainer.internal;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.util.ArrayList;
import java.util.List;
import mdm.api.DjlRuntime;
import mdm.core.runtime.DeviceSpec;

/** The devices of a data-parallel run: the spec's {@code training.devices}, or the runtime's device. */
final class Devices {
    private Devices() {
    }

    /**
     * @throws mdm.api.MdmException for a device the engine does not have (never a silent fallback);
     *                              {@code cpu} may repeat, which runs the data-parallel path on one CPU
     */
    static List<Device> resolve(List<String> names, DjlRuntime runtime) {
        if (names.isEmpty()) {
            return List.of(runtime.device());
        }
        int gpus = Engine.getInstance().getGpuCount();
        List<Device> out = new ArrayList<>();
        for (String name : names) {
            out.addAll(DeviceSpec.resolve(name, gpus));
        }
        return List.copyOf(out);
    }
}
