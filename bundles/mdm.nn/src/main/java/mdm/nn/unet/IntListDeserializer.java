package mdm.nn.unet;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads an ml-mdm integer-list field in any of the forms its YAML files use: a list
 * ({@code [2, 2, 1]}), a comma string ({@code "2,2,1"}), a single number ({@code 2} or {@code "2"}),
 * or an empty string (empty list).
 */
public final class IntListDeserializer extends JsonDeserializer<List<Integer>> {
    @Override
    public List<Integer> deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_NUMBER_INT) {
            return List.of(p.getIntValue());
        }
        if (t == JsonToken.VALUE_STRING) {
            String text = p.getText().trim();
            List<Integer> out = new ArrayList<>();
            if (text.isEmpty()) {
                return out;
            }
            for (String part : text.split(",")) {
                try {
                    out.add(Integer.parseInt(part.trim()));
                } catch (NumberFormatException e) {
                    return (List<Integer>) ctxt.handleWeirdStringValue(List.class, text,
                            "expected integers separated by commas, like \"2,2,1\"");
                }
            }
            return out;
        }
        if (t == JsonToken.START_ARRAY) {
            JsonNode node = p.readValueAsTree();
            List<Integer> out = new ArrayList<>();
            for (JsonNode e : node) {
                if (!e.canConvertToInt() || !e.isIntegralNumber()) {
                    return (List<Integer>) ctxt.handleWeirdStringValue(List.class, node.toString(),
                            "expected a list of integers");
                }
                out.add(e.intValue());
            }
            return out;
        }
        return (List<Integer>) ctxt.handleUnexpectedToken(List.class, p);
    }
}
