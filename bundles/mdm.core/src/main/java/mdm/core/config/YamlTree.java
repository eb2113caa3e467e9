package mdm.core.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import mdm.api.MdmException;

/**
 * Builds a tree from a YAML (or JSON) parser with YAML's aliases resolved: {@code *name} stands for
 * a copy of the value anchored {@code &name}, and a merge key {@code <<: *base} (or a list of
 * aliases) adds the anchored mapping's keys that the mapping does not set itself. Jackson's own
 * tree reading gives an alias as the anchor's <em>name</em>, silently changing what was written.
 * Copies count against {@link #MAX_EXPANDED} values, so a document whose aliases multiply (an
 * "alias bomb", a few lines that expand to billions of values) is refused instead of eating memory.
 */
final class YamlTree {
    /** Values that aliases may add in one document; configs use a handful, bombs billions. */
    static final int MAX_EXPANDED = 100_000;
    private static final String MERGE = "<<";

    private final JsonParser parser;
    private final JsonNodeFactory nodes = JsonNodeFactory.instance;
    private final Map<String, JsonNode> anchors = new HashMap<>();
    private long expanded;

    private YamlTree(JsonParser parser) {
        this.parser = parser;
    }

    /** The document's tree; {@link MissingNode} for an empty document, as {@code ObjectMapper.readTree} gives. */
    static JsonNode read(JsonParser parser) throws IOException {
        try (parser) {
            if (parser.nextToken() == null) {
                return MissingNode.getInstance();
            }
            return new YamlTree(parser).value();
        }
    }

    private JsonNode value() throws IOException {
        JsonToken t = parser.currentToken();
        if (isAlias()) {
            return alias(parser.getText());
        }
        String anchor = anchor();
        JsonNode v = switch (t) {
            case START_OBJECT -> object();
            case START_ARRAY -> array();
            case VALUE_STRING -> nodes.textNode(parser.getText());
            case VALUE_NUMBER_INT -> switch (parser.getNumberType()) {
                case INT -> nodes.numberNode(parser.getIntValue());
                case LONG -> nodes.numberNode(parser.getLongValue());
                default -> nodes.numberNode(parser.getBigIntegerValue());
            };
            case VALUE_NUMBER_FLOAT -> nodes.numberNode(parser.getDoubleValue());
            case VALUE_TRUE -> nodes.booleanNode(true);
            case VALUE_FALSE -> nodes.booleanNode(false);
            case VALUE_NULL -> nodes.nullNode();
            case VALUE_EMBEDDED_OBJECT -> parser.getEmbeddedObject() instanceof byte[] b ? nodes.binaryNode(b)
                    : nodes.pojoNode(parser.getEmbeddedObject());
            default -> throw new MdmException("unexpected " + t + " at " + parser.currentLocation());
        };
        if (anchor != null) {
            anchors.put(anchor, v);
        }
        return v;
    }

    private ObjectNode object() throws IOException {
        ObjectNode o = nodes.objectNode();
        ObjectNode merged = null;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String key = parser.currentName();
            parser.nextToken();
            JsonNode v = value();
            if (MERGE.equals(key)) {
                merged = merged == null ? nodes.objectNode() : merged;
                merge(merged, v, key);
            } else {
                o.set(key, v);
            }
        }
        if (merged != null) {
            for (Iterator<Map.Entry<String, JsonNode>> it = merged.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!o.has(e.getKey())) {
                    o.set(e.getKey(), e.getValue()); // keys written in the mapping itself win
                }
            }
        }
        return o;
    }

    /** {@code <<: *a} or {@code <<: [*a, *b]}: earlier mappings win over later ones, as YAML says. */
    private void merge(ObjectNode into, JsonNode v, String key) {
        if (v.isObject()) {
            v.fields().forEachRemaining(e -> {
                if (!into.has(e.getKey())) {
                    into.set(e.getKey(), e.getValue());
                }
            });
        } else if (v.isArray() && java.util.stream.StreamSupport.stream(v.spliterator(), false).allMatch(JsonNode::isObject)) {
            v.forEach(m -> merge(into, m, key));
        } else {
            throw new MdmException("the merge key '" + key + "' at " + parser.currentLocation().offsetDescription()
                    + " needs a mapping or a list of mappings (e.g. <<: *defaults), got " + v);
        }
    }

    private ArrayNode array() throws IOException {
        ArrayNode a = nodes.arrayNode();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            a.add(value());
        }
        return a;
    }

    private JsonNode alias(String name) {
        JsonNode target = anchors.get(name);
        if (target == null) {
            throw new MdmException("the alias *" + name + " names no anchor &" + name + " above it");
        }
        expanded += size(target);
        if (expanded > MAX_EXPANDED) {
            throw new MdmException("the YAML's aliases expand to more than " + MAX_EXPANDED
                    + " values (an alias bomb?); write the values out or use fewer aliases");
        }
        return target.deepCopy();
    }

    /** Values in {@code node}, counting at most up to the limit (a tree is never larger than its expansions). */
    private static long size(JsonNode node) {
        long n = 1;
        for (JsonNode child : node) {
            n += size(child);
            if (n > MAX_EXPANDED) {
                break;
            }
        }
        return n;
    }

    private boolean isAlias() {
        return parser instanceof YAMLParser y && y.isCurrentAlias();
    }

    private String anchor() {
        JsonToken t = parser.currentToken();
        if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
            return parser instanceof YAMLParser y ? y.getCurrentAnchor() : null;
        }
        return parser instanceof AnchoredYamlFactory.AnchoredParser a ? a.scalarAnchor() : null;
    }
}
