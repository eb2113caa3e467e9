package mdm.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import mdm.api.eval.Features;
import mdm.core.config.Json;
import mdm.core.io.Npz;
import mdm.core.runtime.EngineRuntime;
import mdm.eval.metrics.FrechetDistance;
import mdm.eval.metrics.KernelDistance;
import mdm.eval.metrics.Neighbourhoods;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The metrics against values computed independently in float64 ({@code testdata/eval}, see its
 * README): FD within 1e-6 relative, the others within 1e-9, including the rank-deficient pair and
 * a set compared with itself.
 */
class MetricFixtureTest {
    static EngineRuntime runtime;
    static Map<String, Features> sets = new HashMap<>();
    static JsonNode expected;

    @BeforeAll
    static void load() {
        runtime = EngineRuntime.standalone();
        Path dir = Path.of(System.getProperty("mdm.testdata", "../../testdata"), "eval");
        expected = Json.read(dir.resolve("expected.json"));
        try (NDManager m = runtime.newManager()) {
            for (var e : Npz.read(dir.resolve("features.npz"), m).entrySet()) {
                NDArray a = e.getValue();
                int n = (int) a.getShape().get(0);
                int d = (int) a.getShape().get(1);
                sets.put(e.getKey(), new Features("fixture", "-", n, d, a.toFloatArray(), List.of()));
            }
        }
    }

    @AfterAll
    static void stop() {
        runtime.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"real|fake", "real|real2", "real|real", "small_a|small_b"})
    void matchesIndependentValues(String pair) {
        String[] p = pair.split("\\|");
        Features a = sets.get(p[0]);
        Features b = sets.get(p[1]);
        JsonNode want = expected.get(pair);
        try (NDManager m = runtime.newManager()) {
            double fd = FrechetDistance.compute(a, b, m);
            double fdWant = want.get("fd").asDouble();
            if (Math.abs(fdWant) < 1e-6) {
                assertEquals(0.0, fd, 1e-6, "fd of a set with itself");
            } else {
                assertEquals(fdWant, fd, 1e-6 * Math.abs(fdWant), "fd " + pair);
            }
            double kid = KernelDistance.compute(a, b, 0, m).exact();
            assertEquals(want.get("kid_unbiased_mmd2").asDouble(), kid, 1e-9, "kid " + pair);
            if (want.has("precision_k3")) {
                Neighbourhoods.Result r = Neighbourhoods.compute(a, b, 3, 5, m);
                assertEquals(want.get("precision_k3").asDouble(), r.precision(), 1e-9, "precision " + pair);
                assertEquals(want.get("recall_k3").asDouble(), r.recall(), 1e-9, "recall " + pair);
                assertEquals(want.get("density_k5").asDouble(), r.density(), 1e-9, "density " + pair);
                assertEquals(want.get("coverage_k5").asDouble(), r.coverage(), 1e-9, "coverage " + pair);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"real|fake"})
    void kidSubsetsAreSpreadAroundTheWholeSetValue(String pair) {
        String[] p = pair.split("\\|");
        try (NDManager m = runtime.newManager()) {
            KernelDistance.Result r = KernelDistance.compute(sets.get(p[0]), sets.get(p[1]), 3, m);
            // 500 generated vectors: each subset holds all of them, so the spread comes from the real side only
            assertTrue(Math.abs(r.subsetMean() - r.exact()) < 5 * r.subsetStd() + 1e-9, r.toString());
        }
    }
}
