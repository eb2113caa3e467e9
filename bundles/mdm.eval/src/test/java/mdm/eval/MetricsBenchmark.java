package mdm.eval;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import mdm.api.eval.Features;
import mdm.core.random.HostRandom;
import mdm.core.runtime.EngineRuntime;
import mdm.eval.metrics.FrechetDistance;
import mdm.eval.metrics.KernelDistance;
import mdm.eval.metrics.Neighbourhoods;

/**
 * Times every metric on two sets of N × d feature vectors (default 10,000 × 128, the feature
 * networks' width), prints seconds per metric, the total and the machine's load. Not a test: run
 * <pre>
 * mvn -q -pl bundles/mdm.eval test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=mdm.eval.MetricsBenchmark [-Dexec.args="10000 128"]
 * </pre>
 */
public final class MetricsBenchmark {
    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int d = args.length > 1 ? Integer.parseInt(args[1]) : 128;
        Features a = gaussian(n, d, 1, 0.0);
        Features b = gaussian(n, d, 2, 0.3);
        try (EngineRuntime runtime = EngineRuntime.standalone(); NDManager m = runtime.newManager()) {
            FrechetDistance.compute(a.head(500), b.head(500), m); // warm-up: natives, JIT
            long cpu0 = cpuNanos();
            long t0 = System.nanoTime();
            double fd = FrechetDistance.compute(a, b, m);
            long t1 = System.nanoTime();
            KernelDistance.Result kid = KernelDistance.compute(a, b, 0, m);
            long t2 = System.nanoTime();
            Neighbourhoods.Result prdc = Neighbourhoods.compute(a, b, 3, 5, m);
            long t3 = System.nanoTime();
            long cpu = cpuNanos() - cpu0;
            System.out.printf("metrics on %,d × %,d vectors of %d dimensions (float64), load %s%n", n, n, d, load());
            System.out.printf("  fd                  %.3f s  (fd %.4f)%n", (t1 - t0) / 1e9, fd);
            System.out.printf("  kid (exact + 100 subsets of %d)  %.3f s  (kid %.5f ± %.5f, exact %.5f)%n",
                    kid.subsetSize(), (t2 - t1) / 1e9, kid.subsetMean(), kid.subsetStd(), kid.exact());
            System.out.printf("  pr + dc             %.3f s  (%s)%n", (t3 - t2) / 1e9, prdc);
            System.out.printf("  all                 %.3f s  (process CPU time %.3f s on %d cores: on a shared machine"
                    + " the wall time is what the other jobs left)%n", (t3 - t0) / 1e9, cpu / 1e9,
                    Runtime.getRuntime().availableProcessors());
        }
    }

    public static Features gaussian(int n, int d, long seed, double shift) {
        HostRandom r = new HostRandom(seed);
        float[] v = r.normal(n * d);
        for (int i = 0; i < v.length; i++) {
            v[i] = Math.max(0, v[i] + (float) shift); // ReLU features, as the networks give
        }
        return new Features("benchmark", "-", n, d, v, List.of());
    }

    /** CPU time of the whole process (all threads, the engine's native ones included). */
    static long cpuNanos() {
        var os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : -1;
    }

    static String load() throws Exception {
        Path p = Path.of("/proc/loadavg");
        return Files.exists(p) ? Files.readString(p).trim() : "?";
    }
}
