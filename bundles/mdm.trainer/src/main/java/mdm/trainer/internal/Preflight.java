package mdm.trainer.internal;

import ai.djl.Device;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import javax.management.ObjectName;
import mdm.api.MdmException;
import mdm.core.config.Json;

/**
 * The rules a resolved experiment must meet before a job starts, checked on shapes alone (nothing
 * is allocated): every stage's network can be built (GroupNorm groups dividing each level's
 * channels, attention included), sizes do not overflow, each stage can inherit the previous
 * stage's network under the key prefix it will be loaded at, and the memory a stage needs
 * (parameters, gradients, optimiser state, EMA, activations of a batch) fits the device and the
 * batch's images fit the Java heap.
 */
final class Preflight {
    /** float32 copies per parameter while training: weights, gradient, AdamW's two moments (+ EMA). */
    private static final int COPIES = 4;
    /** Feature maps kept for the backward pass per ResNet block: a lower bound (norm, activation, two convs). */
    private static final int MAPS_PER_RESNET = 4;
    /** ml-mdm's attention heads: one score map of (pixels × pixels) per head and layer. */
    private static final int HEADS = 8;

    /** What one stage needs; figures in bytes. */
    record Needs(int stage, String name, long parameters, double parameterBytes, double activationBytes,
                 double hostBatchBytes, int batch) {
        double deviceBytes() {
            return parameterBytes + activationBytes;
        }
    }

    private Preflight() {
    }

    /** The structural rules: every stage builds, nothing overflows, stages inherit cleanly. */
    static List<Needs> checkStructure(Experiment exp) {
        List<Needs> out = new ArrayList<>();
        Map<String, Shape> previous = null;
        for (StagePlan plan : exp.stages) {
            String where = "stage " + (plan.index() + 1) + "/" + exp.stages.size() + " '" + plan.spec().name() + "'";
            Map<String, Shape> shapes;
            try {
                shapes = plan.factory().parameterShapes(plan.config());
            } catch (MdmException | IllegalArgumentException | IllegalStateException | ArithmeticException e) {
                throw new MdmException(where + " (" + plan.backboneName() + " at " + plan.resolution() + "²) cannot be "
                        + "built: " + message(e), e);
            }
            long parameters;
            try {
                parameters = count(shapes);
            } catch (ArithmeticException e) {
                throw new MdmException(where + ": the model is too large to address: its parameter count overflows 64 "
                        + "bits. Lower resolution_channels.", e);
            }
            if (previous != null && plan.inherited() != null) {
                checkInherits(where, previous, shapes, plan.inherited());
            }
            previous = shapes;
            boolean ema = exp.spec.optimizer().emaDecay() > 0;
            double parameterBytes = (double) parameters * Float.BYTES * (COPIES + (ema ? 1 : 0));
            double perImage = activationFloats(exp, plan) * Float.BYTES;
            double hostImage = (double) exp.data.channels() * exp.imageSize * exp.imageSize * Float.BYTES;
            out.add(new Needs(plan.index(), where, parameters, parameterBytes, perImage * plan.batchSize(),
                    hostImage * plan.batchSize(), plan.batchSize()));
        }
        return out;
    }

    /** The structural rules, then memory: each stage against the devices' memory and the Java heap. */
    static void check(Experiment exp, List<Device> devices) {
        List<Needs> needs = checkStructure(exp);
        double heap = Runtime.getRuntime().maxMemory();
        double device = deviceMemory(devices);
        String deviceName = devices.isEmpty() || !devices.get(0).isGpu() ? "this machine (cpu)"
                : devices.size() == 1 ? devices.get(0).toString() : devices.size() + " GPUs (each)";
        int replicas = Math.max(1, devices.size());
        for (Needs n : needs) {
            double perDevice = n.parameterBytes() + n.activationBytes() / replicas;
            if (device > 0 && perDevice > device) {
                double perImage = n.activationBytes() / n.batch() / replicas;
                long fits = perImage > 0 ? (long) Math.max(0, (device - n.parameterBytes()) / perImage) : 0;
                throw new MdmException(n.name() + " cannot fit in memory: it needs at least " + bytes(perDevice)
                        + " (" + String.format(Locale.ROOT, "%,d", n.parameters()) + " parameters: " + bytes(n.parameterBytes())
                        + " with gradients, optimiser state and EMA; activations of a batch of "
                        + String.format(Locale.ROOT, "%,d", n.batch()) + ": " + bytes(n.activationBytes() / replicas)
                        + ") but " + deviceName + " has " + bytes(device) + ". "
                        + (fits >= 1 ? "Lower the batch size (training.batch_size or the stage's batch_size) to at most about "
                        + String.format(Locale.ROOT, "%,d", fits) + "." : "Lower resolution_channels: even one image does not fit."));
            }
            if (n.hostBatchBytes() > heap) {
                throw new MdmException(n.name() + " cannot fit a batch of " + String.format(Locale.ROOT, "%,d", n.batch())
                        + " images in the Java heap: they need " + bytes(n.hostBatchBytes()) + ", the heap has "
                        + bytes(heap) + ". Lower the batch size, or give Java more (MDM_JAVA_OPTS=-Xmx…).");
            }
        }
    }

    /** Σ of the parameter counts, exactly. @throws ArithmeticException when it overflows */
    static long count(Map<String, Shape> shapes) {
        long total = 0;
        for (Shape s : shapes.values()) {
            long n = 1;
            for (long d : s.getShape()) {
                n = Math.multiplyExact(n, d);
            }
            total = Math.addExact(total, n);
        }
        return total;
    }

    /** The previous stage's network must be exactly what this stage holds under {@code prefix}. */
    private static void checkInherits(String where, Map<String, Shape> previous, Map<String, Shape> current,
                                      String prefix) {
        Map<String, Shape> inner = new LinkedHashMap<>();
        current.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                inner.put(k.substring(prefix.length()), v);
            }
        });
        Set<String> onlyBefore = new TreeSet<>(previous.keySet());
        onlyBefore.removeAll(inner.keySet());
        Set<String> onlyNow = new TreeSet<>(inner.keySet());
        onlyNow.removeAll(previous.keySet());
        List<String> reshaped = new ArrayList<>();
        previous.forEach((k, v) -> {
            Shape now = inner.get(k);
            if (now != null && !now.equals(v)) {
                reshaped.add(k + " " + v + " → " + now);
            }
        });
        if (onlyBefore.isEmpty() && onlyNow.isEmpty() && reshaped.isEmpty()) {
            return;
        }
        StringBuilder s = new StringBuilder(where + " cannot take over the previous stage's network"
                + (prefix.isEmpty() ? "" : " under '" + prefix + "'") + ": the two differ.");
        if (!onlyBefore.isEmpty()) {
            s.append(" Only the previous stage has ").append(sample(onlyBefore)).append('.');
        }
        if (!onlyNow.isEmpty()) {
            s.append(" Only this stage has ").append(sample(onlyNow)).append('.');
        }
        if (!reshaped.isEmpty()) {
            s.append(" Shapes differ: ").append(sample(reshaped)).append('.');
        }
        s.append(" The inner network's settings (e.g. skip_mid_blocks, skip_cond_emb in inner_config) must build the "
                + "same layers on its own as inside the nested model.");
        throw new MdmException(s.toString());
    }

    private static String sample(java.util.Collection<String> keys) {
        List<String> list = new ArrayList<>(keys);
        return String.join(", ", list.subList(0, Math.min(4, list.size())))
                + (list.size() > 4 ? " and " + (list.size() - 4) + " more" : "");
    }

    /**
     * Floats one training image keeps for the backward pass, a lower bound read from the ml-mdm
     * model section: per nested network and resolution level, its ResNet blocks' feature maps
     * (down path and the one-longer up path) and its attention score maps. 0 when the section is
     * not in ml-mdm's form.
     */
    static double activationFloats(Experiment exp, StagePlan plan) {
        JsonNode net = ModelSections.innermost(Json.tree(exp.spec.model()), plan.spec().levels());
        List<Integer> sides = plan.sides();
        double floats = 0;
        for (int k = 0; net != null && k < sides.size(); k++, net = net.get(ModelSections.INNER)) {
            List<Long> channels = ints(net.get("resolution_channels"), -1);
            if (channels.isEmpty()) {
                return floats;
            }
            int n = channels.size();
            List<Long> resnets = ints(net.get("num_resnets_per_resolution"), n);
            List<Long> layers = ints(net.get("num_attention_layers"), n);
            List<Long> attention = ints(net.get("attention_levels"), -1);
            for (int i = 0; i < n; i++) {
                double side = Math.max(1, sides.get(k) >> i);
                double area = side * side;
                long r = i < resnets.size() ? resnets.get(i) : 1;
                floats += (2.0 * r + 1) * MAPS_PER_RESNET * channels.get(i) * area;
                long l = i < layers.size() ? layers.get(i) : 0;
                if (l > 0 && attention.contains((long) i)) {
                    floats += 2.0 * l * HEADS * area * area;
                }
            }
        }
        return floats;
    }

    /** A list of integers written as a list, "a,b" text or one number (repeated {@code n} times). */
    private static List<Long> ints(JsonNode node, int n) {
        List<Long> out = new ArrayList<>();
        if (node == null || node.isNull()) {
            return out;
        }
        if (node.isArray()) {
            node.forEach(v -> out.add(v.asLong()));
        } else if (node.isNumber()) {
            for (int i = 0; i < Math.max(1, n); i++) {
                out.add(node.asLong());
            }
        } else if (node.isTextual() && !node.asText().isBlank()) {
            for (String part : node.asText().split(",")) {
                try {
                    out.add(Long.parseLong(part.trim()));
                } catch (NumberFormatException e) {
                    return new ArrayList<>();
                }
            }
        }
        return out;
    }

    /** Memory of one device: a GPU's total, or this machine's physical memory for the CPU; 0 if unknown. */
    static double deviceMemory(List<Device> devices) {
        if (!devices.isEmpty() && devices.get(0).isGpu()) {
            double least = Double.MAX_VALUE;
            for (Device d : devices) {
                try {
                    least = Math.min(least, ai.djl.util.cuda.CudaUtils.getGpuMemory(d).getMax());
                } catch (RuntimeException | LinkageError e) {
                    return 0; // unknown: the engine will say when it runs out
                }
            }
            return least;
        }
        try {
            Object total = ManagementFactory.getPlatformMBeanServer()
                    .getAttribute(new ObjectName("java.lang:type=OperatingSystem"), "TotalMemorySize");
            return total instanceof Number num ? num.doubleValue() : 0;
        } catch (Exception e) {
            return 0;
        }
    }

    static String bytes(double b) {
        String[] units = {"bytes", "KB", "MB", "GB", "TB", "PB", "EB"};
        int u = 0;
        while (b >= 1000 && u < units.length - 1) {
            b /= 1000;
            u++;
        }
        return u == 0 ? String.format(Locale.ROOT, "%.0f bytes", b)
                : b >= 1e6 ? String.format(Locale.ROOT, "%.3g %s", b, units[u]) : String.format(Locale.ROOT, "%.1f %s", b, units[u]);
    }

    private static String message(Throwable e) {
        return e.getMessage() != null ? e.getMessage() : e.toString();
    }
}
