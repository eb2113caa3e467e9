package mdm.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import mdm.core.config.Json;

/** The reference's golden numbers under {@code mdm.testdata}/ml-mdm (shared with the samplers' tests). */
public final class Fixture {
    private Fixture() {
    }

    public static Path file(String name) {
        return Path.of(System.getProperty("mdm.testdata", "testdata"), "ml-mdm", name);
    }

    /** Every array of an npz file by name, in {@code manager}. */
    public static Map<String, NDArray> npz(NDManager manager, String name) {
        try (InputStream in = Files.newInputStream(file(name))) {
            Map<String, NDArray> out = new LinkedHashMap<>();
            for (NDArray a : NDList.decode(manager, in)) {
                out.put(a.getName(), a);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static JsonNode json(String name) {
        return Json.read(file(name));
    }

    /** A config dumped by the fixture generator, without its "__class__" markers. */
    public static JsonNode withoutClassMarkers(JsonNode node) {
        JsonNode copy = node.deepCopy();
        strip(copy);
        return copy;
    }

    private static void strip(JsonNode node) {
        if (node instanceof ObjectNode o) {
            o.remove("__class__");
            o.forEach(Fixture::strip);
        }
    }

    public static double maxRelative(float[] expected, float[] actual) {
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            double scale = Math.max(Math.abs(expected[i]), 1e-3);
            worst = Math.max(worst, Math.abs(expected[i] - actual[i]) / scale);
        }
        return worst;
    }

    public static double maxAbsolute(float[] expected, float[] actual) {
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
        }
        return worst;
    }
}
