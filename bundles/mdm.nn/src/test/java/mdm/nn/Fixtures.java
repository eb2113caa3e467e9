package mdm.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import mdm.core.config.Json;
import mdm.core.fixtures.ReferenceWeights;
import mdm.core.io.StateDictFiles;

/** The golden files under {@code testdata/} (system property {@code mdm.testdata}). */
public final class Fixtures {
    private Fixtures() {
    }

    public static Path testdata() {
        String dir = System.getProperty("mdm.testdata");
        if (dir == null) {
            throw new IllegalStateException("system property mdm.testdata is not set (surefire sets it to <repo>/testdata)");
        }
        return Path.of(dir);
    }

    public static Path mlMdm(String file) {
        Path p = testdata().resolve("ml-mdm").resolve(file);
        if (!Files.exists(p)) {
            throw new IllegalStateException("missing fixture " + p);
        }
        return p;
    }

    /** The weights the fixtures of {@code model} were made with (rebuilt from {@code <model>_weights.json}). */
    public static Map<String, NDArray> weights(String model, NDManager manager) {
        return ReferenceWeights.read(mlMdm(model + "_weights.json"), manager);
    }

    /** Arrays of an .npz (or .pt/.safetensors) fixture by name, in {@code manager}. */
    public static Map<String, NDArray> arrays(String file, NDManager manager) {
        return StateDictFiles.read(mlMdm(file), manager);
    }

    /** The reference's model config as given to the constructor, without the dump's {@code __class__} tags. */
    public static JsonNode configAsGiven(String model) {
        JsonNode root = Json.read(mlMdm(model + "_config.json"));
        JsonNode c = root.get("config_as_given").deepCopy();
        strip(c);
        return c;
    }

    /** The registered name the fixture was built with (unet, nested_unet). */
    public static String registryName(String model) {
        return Json.read(mlMdm(model + "_config.json")).get("registry_name").asText();
    }

    private static void strip(JsonNode n) {
        if (n instanceof ObjectNode o) {
            o.remove("__class__");
            o.forEach(Fixtures::strip);
        }
    }
}
