package mdm.core.io;

import static mdm.core.io.IoFixtures.testdata;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import mdm.core.fixtures.ReferenceWeights;
import mdm.core.runtime.EngineRuntime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Prints read and write times of tensor files (not a timed assertion): the 13 MB nested32 state dict
 * (rebuilt from the fixtures' seeds) written and read as safetensors, the 7.7 MB intermediates .npz,
 * and the reference's torch.save subset of nested32 (0.3 MB).
 * Run: {@code mvn -o install -pl bundles/mdm.core -Dtest=StateDictReadBenchmark -Dmdm.bench=true}; the
 * figures are in the console and in target/surefire-reports/mdm.core.io.StateDictReadBenchmark-output.txt.
 */
@EnabledIfSystemProperty(named = "mdm.bench", matches = "true")
class StateDictReadBenchmark {
    private static final int RUNS = 20;

    @Test
    void printReadTimes() throws Exception {
        try (EngineRuntime runtime = EngineRuntime.standalone(); NDManager manager = runtime.newManager()) {
            Path safetensors = Files.createTempFile("nested32", ".safetensors");
            try {
                Map<String, NDArray> sd = ReferenceWeights.read(testdata("ml-mdm/nested32_weights.json"), manager);
                long bytes = sd.values().stream().mapToLong(a -> a.size() * 4).sum();
                System.out.printf("nested32: %d tensors, %.1f MB%n", sd.size(), bytes / 1e6);
                time("write safetensors", () -> Safetensors.write(safetensors, sd, Map.of("k", "v")));
                time("read npz (7.7 MB)", () -> read(runtime, testdata("ml-mdm/nested32_intermediates_fp32.npz")));
                time("read pt (0.3 MB)", () -> read(runtime, testdata("ml-mdm/nested32_state_dict_subset.pt")));
                time("read safetensors", () -> read(runtime, safetensors));
            } finally {
                Files.deleteIfExists(safetensors);
            }
        }
    }

    private static void read(EngineRuntime runtime, Path file) {
        try (NDManager m = runtime.newManager()) {
            StateDictFiles.read(file, m);
        }
    }

    private static void time(String what, Runnable action) {
        for (int i = 0; i < 3; i++) {
            action.run();
        }
        long best = Long.MAX_VALUE;
        long total = 0;
        for (int i = 0; i < RUNS; i++) {
            long t0 = System.nanoTime();
            action.run();
            long dt = System.nanoTime() - t0;
            best = Math.min(best, dt);
            total += dt;
        }
        System.out.printf("%-22s best %6.1f ms, mean %6.1f ms (%d runs)%n", what, best / 1e6, total / 1e6 / RUNS, RUNS);
    }
}
