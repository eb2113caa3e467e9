package mdm.web.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/** Typed fields of a JSON request body, each wrong value refused with what was expected. */
final class Fields {
    private final ObjectNode body;

    Fields(ObjectNode body, Set<String> allowed) {
        this.body = body;
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!allowed.contains(name)) {
                throw WebError.badRequest("unknown field '" + WorkFiles.printable(name) + "'; the fields are "
                        + String.join(", ", allowed.stream().sorted().toList()));
            }
        }
    }

    boolean has(String name) {
        JsonNode n = body.get(name);
        return n != null && !n.isNull() && !(n.isTextual() && n.asText().isBlank());
    }

    String text(String name) {
        if (!has(name)) {
            return null;
        }
        JsonNode n = body.get(name);
        if (!n.isTextual()) {
            throw WebError.badRequest(name + " must be a string, got " + n);
        }
        return n.asText().trim();
    }

    /** A whole number from {@code min} to {@code max}, or null when absent. */
    Long whole(String name, long min, long max) {
        if (!has(name)) {
            return null;
        }
        JsonNode n = body.get(name);
        long v;
        if (n.isIntegralNumber() && n.canConvertToLong()) {
            v = n.asLong();
        } else if (n.isTextual() && n.asText().trim().matches("-?\\d{1,18}")) {
            v = Long.parseLong(n.asText().trim());
        } else {
            throw WebError.badRequest(name + " must be a whole number from " + min + " to " + max + ", got " + n);
        }
        if (v < min || v > max) {
            throw WebError.badRequest(name + " must be from " + min + " to " + max + ", got " + v);
        }
        return v;
    }

    /** A finite number from {@code min} to {@code max}, or null when absent. */
    Double number(String name, double min, double max) {
        if (!has(name)) {
            return null;
        }
        JsonNode n = body.get(name);
        double v;
        if (n.isNumber()) {
            v = n.asDouble();
        } else {
            try {
                v = Double.parseDouble(n.asText().trim());
            } catch (NumberFormatException e) {
                throw WebError.badRequest(name + " must be a number from " + min + " to " + max + ", got " + n);
            }
        }
        if (!Double.isFinite(v) || v < min || v > max) {
            throw WebError.badRequest(name + " must be a number from " + min + " to " + max + ", got " + n);
        }
        return v;
    }

    boolean bool(String name, boolean absent) {
        if (!has(name)) {
            return absent;
        }
        JsonNode n = body.get(name);
        if (!n.isBoolean()) {
            throw WebError.badRequest(name + " must be true or false, got " + n);
        }
        return n.asBoolean();
    }

    /** A list of non-empty strings (a single string counts as a list of one). */
    List<String> texts(String name, int maxItems, int maxLength) {
        if (!has(name)) {
            return List.of();
        }
        JsonNode n = body.get(name);
        List<String> out = new ArrayList<>();
        if (n.isTextual()) {
            out.add(n.asText().trim());
        } else if (n.isArray()) {
            for (JsonNode e : n) {
                if (!e.isTextual()) {
                    throw WebError.badRequest(name + " must be a list of strings, got " + e);
                }
                if (!e.asText().isBlank()) {
                    out.add(e.asText().trim());
                }
            }
        } else {
            throw WebError.badRequest(name + " must be a list of strings, got " + n);
        }
        if (out.size() > maxItems) {
            throw WebError.badRequest(name + " may have at most " + maxItems + " entries, got " + out.size());
        }
        for (String s : out) {
            if (s.length() > maxLength) {
                throw WebError.badRequest("an entry of " + name + " has " + s.length() + " characters; the limit is "
                        + maxLength);
            }
        }
        return out;
    }
}
