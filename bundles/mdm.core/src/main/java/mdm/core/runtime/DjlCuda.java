package mdm.core.runtime;

import ai.djl.Device;
import ai.djl.util.cuda.CudaUtils;
import java.io.IOException;
import java.lang.management.MemoryUsage;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/** What DJL's CUDA utilities (the CUDA runtime through JNA) say about the GPUs, and their names. */
public final class DjlCuda {
    private DjlCuda() {
    }

    /** The flavor DJL picks when PYTORCH_FLAVOR is unset and natives come from a folder (LibUtils). */
    static String autoFlavor() {
        try {
            if (CudaUtils.getGpuCount() > 0) {
                return "cu" + CudaUtils.getCudaVersionString() + "-precxx11";
            }
        } catch (RuntimeException | LinkageError e) {
            // no CUDA runtime: DJL then takes the CPU flavor too
        }
        return "cpu-precxx11";
    }

    /**
     * The GPU a device is, for mdm:version: name, compute capability and memory, e.g.
     * {@code NVIDIA H200, compute capability 9.0, 139.8 GiB}; empty for the CPU.
     */
    public static String describe(Device device) {
        if (!device.isGpu()) {
            return "";
        }
        int id = device.getDeviceId();
        List<String> parts = new ArrayList<>();
        String name = gpuName(id);
        if (name != null) {
            parts.add(name);
        }
        try {
            String cc = CudaUtils.getComputeCapability(id);
            parts.add("compute capability " + cc.substring(0, cc.length() - 1) + "." + cc.charAt(cc.length() - 1));
            MemoryUsage memory = CudaUtils.getGpuMemory(device);
            parts.add(String.format(Locale.ROOT, "%.1f GiB", memory.getMax() / (double) (1L << 30)));
        } catch (RuntimeException | LinkageError e) {
            parts.add("(CUDA runtime: " + e.getMessage() + ")");
        }
        return String.join(", ", parts);
    }

    /** The driver's name of GPU {@code id}: /proc/driver/nvidia, else nvidia-smi; null when neither says. */
    static String gpuName(int id) {
        String smi = nvidiaSmiName(id);
        if (smi != null) {
            return smi;
        }
        List<String> names = new ArrayList<>();
        Path gpus = Path.of("/proc/driver/nvidia/gpus");
        if (Files.isDirectory(gpus)) {
            try (DirectoryStream<Path> dirs = Files.newDirectoryStream(gpus)) {
                List<Path> sorted = new ArrayList<>();
                dirs.forEach(sorted::add);
                sorted.sort(null);
                for (Path d : sorted) {
                    for (String line : Files.readAllLines(d.resolve("information"), StandardCharsets.UTF_8)) {
                        if (line.startsWith("Model:")) {
                            names.add(line.substring("Model:".length()).trim());
                        }
                    }
                }
            } catch (IOException e) {
                return null;
            }
        }
        return id < names.size() ? names.get(id) : null;
    }

    private static String nvidiaSmiName(int id) {
        try {
            Process p = new ProcessBuilder("nvidia-smi", "--query-gpu=name", "--format=csv,noheader", "-i",
                    Integer.toString(id)).redirectErrorStream(true).start();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return p.exitValue() == 0 && !out.isEmpty() && !out.contains("\n") ? out : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
