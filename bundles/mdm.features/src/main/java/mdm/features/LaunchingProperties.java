package mdm.features;

import jakarta.json.Json;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.osgi.service.feature.Feature;
import org.osgi.service.feature.FeatureExtension;

/**
 * Framework properties that features ask for, in the extension {@value #EXTENSION} (named as in
 * the OSGi Feature Launcher specification): a JSON object of names to values. Only boot features'
 * count, since framework properties are set once, when the framework is created; e.g. the web
 * feature asks Felix HTTP to wait for its configuration instead of opening a default port first.
 */
public final class LaunchingProperties {
    public static final String EXTENSION = "framework-launching-properties";

    private LaunchingProperties() {
    }

    /** The properties of all {@code features}, later features overriding earlier ones. */
    public static Map<String, String> of(List<Feature> features) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Feature f : features) {
            FeatureExtension e = f.getExtensions().get(EXTENSION);
            if (e == null) {
                continue;
            }
            if (e.getType() != FeatureExtension.Type.JSON) {
                throw new IllegalArgumentException("feature " + f.getID() + ": extension " + EXTENSION
                        + " must be of type json");
            }
            try (JsonReader reader = Json.createReader(new StringReader(e.getJSON()))) {
                JsonObject o = reader.readObject();
                o.forEach((name, value) -> out.put(name, text(value)));
            } catch (RuntimeException ex) {
                throw new IllegalArgumentException("feature " + f.getID() + ": extension " + EXTENSION
                        + " must be a JSON object of names to values: " + ex.getMessage(), ex);
            }
        }
        return out;
    }

    private static String text(JsonValue v) {
        if (v instanceof JsonString s) {
            return s.getString();
        }
        if (v instanceof JsonNumber n) {
            return n.toString();
        }
        return v.toString();
    }
}
