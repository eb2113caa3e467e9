package mdm.backbone.nested;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import mdm.api.model.Conditioning;
import mdm.core.config.Json;
import mdm.core.fixtures.ReferenceWeights;
import mdm.core.io.StateDicts;
import mdm.core.random.HostRandom;
import mdm.core.runtime.EngineRuntime;
import mdm.nn.unet.UNetBackbone;
import mdm.nn.unet.UNetBackboneConfig;
import mdm.nn.unet.UNetModels;

/**
 * Speed and memory of the fixture models nested32 and unet32 (32² images, text conditioning of 7
 * tokens): forward (no gradient) and forward+backward ms at batch 8 and 32, then the process RSS over
 * many training steps, each in its own NDManager scope. Not a unit test; run it as
 * <pre>
 * cd bundles/mdm.backbone.nested && GLIBC_TUNABLES=glibc.malloc.arena_max=1:glibc.malloc.mmap_max=0:\
 * glibc.malloc.trim_threshold=64G:glibc.malloc.top_pad=256M mvn -o -q exec:java -Dexec.classpathScope=test \
 * -Dexec.mainClass=mdm.backbone.nested.BackboneBenchmark -Dexec.args="1000"
 * </pre>
 * Arguments: RSS steps (default 1000, 0 skips), RSS batch (default 8), timed repeats (default 10).
 * Times are the median and the minimum over the repeats (the minimum is robust to other load).
 */
public final class BackboneBenchmark {
    private static final HostRandom RANDOM = new HostRandom(7);

    public static void main(String[] args) throws IOException {
        int rssSteps = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int rssBatch = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        int repeats = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        Path testdata = Path.of(System.getProperty("mdm.testdata", "../../testdata"));
        System.setProperty("DJL_CACHE_DIR", System.getProperty("DJL_CACHE_DIR", testdata.resolve("../target/djl-cache").toString()));
        System.out.println("GLIBC_TUNABLES=" + System.getenv("GLIBC_TUNABLES"));
        try (EngineRuntime runtime = EngineRuntime.standalone()) {
            System.out.println(runtime.engineVersion() + ", threads " + Runtime.getRuntime().availableProcessors());
            for (String model : List.of("nested32", "unet32")) {
                try (NDManager params = runtime.newManager()) {
                    UNetBackbone b = build(model, testdata, params);
                    for (int batch : new int[] {8, 32}) {
                        int n = batch == 8 ? repeats : Math.max(3, repeats / 2);
                        double[] fwd = time(() -> forward(runtime, b, batch, false), 2, n);
                        double[] step = time(() -> forward(runtime, b, batch, true), 2, n);
                        System.out.printf("%-9s batch %2d: forward %7.1f ms (min %7.1f)   forward+backward %7.1f ms (min %7.1f)%n",
                                model, batch, median(fwd), min(fwd), median(step), min(step));
                    }
                    b.close();
                }
            }
            if (rssSteps > 0) {
                try (NDManager params = runtime.newManager()) {
                    UNetBackbone b = build("nested32", testdata, params);
                    System.out.printf("RSS over %d training steps of nested32 at batch %d:%n", rssSteps, rssBatch);
                    long t0 = System.nanoTime();
                    for (int i = 1; i <= rssSteps; i++) {
                        forward(runtime, b, rssBatch, true);
                        if (i == 1 || i % Math.max(1, rssSteps / 10) == 0) {
                            System.out.printf("  step %5d  RSS %6.0f MB  (%.0f ms/step so far)%n", i, rssMb(),
                                    (System.nanoTime() - t0) / 1e6 / i);
                        }
                    }
                    b.close();
                }
            }
        }
    }

    static UNetBackbone build(String model, Path testdata, NDManager manager) {
        JsonNode root = Json.read(testdata.resolve("ml-mdm").resolve(model + "_config.json"));
        JsonNode config = root.get("config_as_given").deepCopy();
        strip(config);
        UNetModels factory = new UNetModels(root.get("registry_name").asText());
        UNetBackboneConfig c = factory.parseConfig(Json.options(config));
        UNetBackbone b = factory.create(c, manager, 0);
        StateDicts.loadStrict(ReferenceWeights.read(testdata.resolve("ml-mdm").resolve(model + "_weights.json"), manager),
                b.parameters());
        for (NDArray p : b.parameters().values()) {
            p.setRequiresGradient(true);
        }
        return b;
    }

    private static void strip(JsonNode n) {
        if (n instanceof ObjectNode o) {
            o.remove("__class__");
            o.forEach(BackboneBenchmark::strip);
        }
    }

    /** One forward (or training step) in its own scope; everything it makes is freed at the end. */
    static void forward(EngineRuntime runtime, UNetBackbone b, int batch, boolean train) {
        try (NDManager step = runtime.newManager()) {
            List<Integer> scales = b.config().levelScales();
            List<NDArray> noisy = new ArrayList<>();
            for (int s : scales) {
                int side = 32 * s / scales.get(0);
                noisy.add(step.create(RANDOM.normal(batch * 3 * side * side), new Shape(batch, 3, side, side)));
            }
            long[] t = new long[batch];
            for (int i = 0; i < batch; i++) {
                t[i] = RANDOM.nextInt(1000);
            }
            NDArray times = step.create(t);
            NDArray tokens = step.create(RANDOM.normal(batch * 7 * 16), new Shape(batch, 7, 16));
            float[] mask = new float[batch * 7];
            for (int i = 0; i < batch; i++) {
                for (int j = 0; j < 7; j++) {
                    mask[i * 7 + j] = j <= i % 7 ? 1 : 0;
                }
            }
            Conditioning cond = new Conditioning(tokens, step.create(mask, new Shape(batch, 7)), Map.of());
            if (!train) {
                List<NDArray> out = b.forward(noisy, times, cond, false);
                out.get(0).getFloat(0, 0, 0, 0);
                return;
            }
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                List<NDArray> out = b.forward(noisy, times, cond, true);
                NDArray loss = null;
                for (NDArray o : out) {
                    NDArray l = o.mul(o).mean();
                    loss = loss == null ? l : loss.add(l);
                }
                gc.backward(loss);
            }
            for (NDArray p : b.parameters().values()) {
                try (NDArray g = p.getGradient()) {
                    g.subi(g);
                }
            }
        }
    }

    private static double[] time(Runnable r, int warmup, int n) {
        for (int i = 0; i < warmup; i++) {
            r.run();
        }
        double[] ms = new double[n];
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            r.run();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        return ms;
    }

    private static double min(double[] v) {
        return Arrays.stream(v).min().orElse(Double.NaN);
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static double rssMb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
            }
        }
        return Double.NaN;
    }
}
