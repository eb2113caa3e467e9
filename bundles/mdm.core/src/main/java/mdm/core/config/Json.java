package mdm.core.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;
import mdm.api.MdmException;
import mdm.api.Options;

/**
 * Reads JSON and YAML (a YAML parser reads both) and binds trees to records strictly: an unknown
 * key is an error naming the nearest valid key, a value of the wrong type names the key and the
 * expected type.
 */
public final class Json {
    private static final ObjectMapper MAPPER = new ObjectMapper(new AnchoredYamlFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .registerModule(new WholeNumbers())
            .registerModule(optionsModule());
    /** PyYAML's reading: a key given twice keeps its last value (ml-mdm's released YAML relies on it). */
    private static final ObjectMapper LAST_WINS = new ObjectMapper(new AnchoredYamlFactory())
            .registerModule(new WholeNumbers()).registerModule(optionsModule());
    private static final ObjectMapper YAML_WRITER = new ObjectMapper(
            com.fasterxml.jackson.dataformat.yaml.YAMLFactory.builder()
                    .disable(com.fasterxml.jackson.dataformat.yaml.YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                    .enable(com.fasterxml.jackson.core.StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
                    .build());
    private static final ObjectMapper JSON_WRITER = new ObjectMapper()
            .enable(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
            .registerModule(optionsModule());

    private Json() {
    }

    /** The shared mapper (YAML/JSON reading, strict). */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** Reads a JSON or YAML file into a tree. */
    public static JsonNode read(Path file) {
        try {
            return YamlTree.read(MAPPER.createParser(Files.newBufferedReader(file)));
        } catch (NoSuchFileException e) {
            throw new MdmException("file not found: " + file.toAbsolutePath() + ". Check the path.");
        } catch (IOException e) {
            throw new MdmException(parseError(file.toString(), e), e);
        }
    }

    /**
     * Reads a YAML file written for Python tools: a repeated key keeps its last value, as PyYAML
     * does. Use it for ml-mdm's files only; our own specs reject repeated keys.
     */
    public static JsonNode readLastWins(Path file) {
        try {
            return YamlTree.read(LAST_WINS.createParser(Files.newBufferedReader(file)));
        } catch (NoSuchFileException e) {
            throw new MdmException("file not found: " + file.toAbsolutePath() + ". Check the path.");
        } catch (IOException e) {
            throw new MdmException(parseError(file.toString(), e), e);
        }
    }

    /** Parses JSON or YAML text. */
    public static JsonNode parse(String text) {
        try {
            JsonNode node = YamlTree.read(MAPPER.createParser(new java.io.StringReader(text)));
            return node == null || node.isMissingNode() ? empty() : node;
        } catch (IOException e) {
            throw new MdmException(parseError("configuration", e), e);
        }
    }

    /**
     * One line for a document that does not parse: where (line, and the key being read when the
     * parser knows it) and Jackson's own first line. YAML's {@code .nan} and {@code .inf} get a hint
     * of their own: Jackson calls them "malformed numbers", which does not say what to write instead.
     */
    static String parseError(String what, IOException e) {
        StringBuilder where = new StringBuilder();
        String first = e.getMessage();
        if (e instanceof com.fasterxml.jackson.core.JsonProcessingException p) {
            first = p.getOriginalMessage();
            com.fasterxml.jackson.core.JsonLocation at = p.getLocation();
            if (at != null && at.getLineNr() > 0) {
                where.append(" at line ").append(at.getLineNr());
            }
            if (p.getProcessor() instanceof JsonParser parser) {
                try {
                    String key = parser.currentName();
                    if (key != null) {
                        where.append(", key '").append(key).append('\'');
                    }
                } catch (IOException ignored) {
                    // the key is a courtesy; the line already says where
                }
            }
        }
        first = String.valueOf(first).lines().findFirst().orElse("");
        String hint = "";
        if (first.matches("(?s).*Malformed numeric value '[-+]?\\.(?i:nan|inf)'.*")) {
            hint = ". Not-a-number and infinite values are not accepted: write a finite number";
        }
        return "cannot parse " + what + where + ": " + first + hint;
    }

    /** Parses JSON or YAML text that must be a mapping (e.g. {@code --options '{"video": true}'}) into options. */
    public static Options parseOptions(String text) {
        return options(parse(text == null || text.isBlank() ? "{}" : text));
    }

    /** An empty object node. */
    public static ObjectNode empty() {
        return JsonNodeFactory.instance.objectNode();
    }

    /**
     * Jackson support for {@link Options}: a record field of type {@code Options} reads any mapping
     * (null or absent: empty) and writes as one. Register it on any other {@code ObjectMapper} that
     * reads or writes records holding options.
     */
    public static com.fasterxml.jackson.databind.Module optionsModule() {
        com.fasterxml.jackson.databind.module.SimpleModule module =
                new com.fasterxml.jackson.databind.module.SimpleModule("mdm-options");
        module.addSerializer(Options.class, new com.fasterxml.jackson.databind.JsonSerializer<Options>() {
            @Override
            public void serialize(Options value, com.fasterxml.jackson.core.JsonGenerator gen,
                                  com.fasterxml.jackson.databind.SerializerProvider serializers) throws IOException {
                gen.writeTree(tree(value));
            }
        });
        module.addDeserializer(Options.class, new com.fasterxml.jackson.databind.JsonDeserializer<Options>() {
            @Override
            public Options deserialize(JsonParser p, com.fasterxml.jackson.databind.DeserializationContext ctxt)
                    throws IOException {
                JsonNode node = p.readValueAsTree();
                if (node != null && !node.isObject() && !node.isNull() && !node.isMissingNode()) {
                    throw com.fasterxml.jackson.databind.exc.MismatchedInputException.from(p, Options.class,
                            "expected a mapping, got " + node.getNodeType().name().toLowerCase());
                }
                return options(node);
            }

            @Override
            public Options getNullValue(com.fasterxml.jackson.databind.DeserializationContext ctxt) {
                return Options.empty();
            }
        });
        return module;
    }

    /**
     * The options of a tree: an object's fields (null or missing: empty).
     *
     * @throws MdmException when the tree is not a mapping
     */
    public static Options options(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return Options.empty();
        }
        if (!node.isObject()) {
            throw new MdmException("expected a mapping of options, got " + node.getNodeType().name().toLowerCase()
                    + " " + node);
        }
        Object plain = plain(node);
        @SuppressWarnings("unchecked")
        java.util.Map<String, Object> map = (java.util.Map<String, Object>) plain;
        return Options.of(map);
    }

    private static Object plain(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        if (node.isObject()) {
            java.util.Map<String, Object> map = new java.util.LinkedHashMap<>();
            node.fields().forEachRemaining(e -> map.put(e.getKey(), plain(e.getValue())));
            return map;
        }
        if (node.isArray()) {
            List<Object> list = new ArrayList<>();
            node.forEach(x -> list.add(plain(x)));
            return list;
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isIntegralNumber()) {
            return node.canConvertToLong() ? (Object) node.longValue() : (Object) node.doubleValue();
        }
        if (node.isNumber()) {
            return node.doubleValue();
        }
        if (node.isBinary()) {
            return node.asText();
        }
        return node.asText();
    }

    /** The options as a Jackson tree (an object node; a fresh copy the caller may change). */
    public static ObjectNode tree(Options options) {
        ObjectNode out = empty();
        if (options == null) {
            return out;
        }
        for (String key : options.keys()) {
            out.set(key, node(options.get(key)));
        }
        return out;
    }

    private static JsonNode node(Object v) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        if (v == null) {
            return f.nullNode();
        }
        if (v instanceof Options o) {
            return tree(o);
        }
        if (v instanceof List<?> l) {
            com.fasterxml.jackson.databind.node.ArrayNode array = f.arrayNode();
            l.forEach(x -> array.add(node(x)));
            return array;
        }
        if (v instanceof Boolean b) {
            return f.booleanNode(b);
        }
        if (v instanceof Long l) {
            return l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE ? f.numberNode(l.intValue()) : f.numberNode(l);
        }
        if (v instanceof Double d) {
            return f.numberNode(d);
        }
        return f.textNode(String.valueOf(v));
    }

    /** Binds options to {@code type} strictly, with Jackson's annotations (see {@link #bind(JsonNode, Class, String)}). */
    public static <T> T bind(Options options, Class<T> type, String where) {
        return bind(tree(options), type, where);
    }

    /**
     * Writes a tree as YAML (block style, every string double-quoted so that values such as {@code 4:1} or
     * {@code null} keep their type in any YAML 1.1 reader, PyYAML included).
     */
    public static String yaml(JsonNode tree) {
        try {
            return YAML_WRITER.writeValueAsString(plainNumbers(tree));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Fractions in positional notation with a decimal point ({@code 10000000.0}, {@code 0.00010}): PyYAML
     * (YAML 1.1) reads {@code 1.0E7}, an exponent without a sign, as a string.
     */
    private static JsonNode plainNumbers(JsonNode node) {
        if (node.isFloatingPointNumber() && Double.isFinite(node.doubleValue())) {
            java.math.BigDecimal d = java.math.BigDecimal.valueOf(node.doubleValue());
            return JsonNodeFactory.instance.numberNode(d.scale() < 1 ? d.setScale(1) : d);
        }
        if (node.isObject()) {
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            node.fields().forEachRemaining(e -> out.set(e.getKey(), plainNumbers(e.getValue())));
            return out;
        }
        if (node.isArray()) {
            com.fasterxml.jackson.databind.node.ArrayNode out = JsonNodeFactory.instance.arrayNode();
            node.forEach(n -> out.add(plainNumbers(n)));
            return out;
        }
        return node;
    }

    /** Writes a tree or a record as indented JSON text. */
    public static String write(Object value) {
        try {
            return JSON_WRITER.writeValueAsString(value);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Binds {@code node} to {@code type} strictly.
     *
     * @param where a human name of the section, e.g. {@code "unet_config"}, used in errors
     */
    public static <T> T bind(JsonNode node, Class<T> type, String where) {
        try {
            return MAPPER.treeToValue(node == null ? empty() : node, type);
        } catch (UnrecognizedPropertyException e) {
            Collection<String> known = e.getKnownPropertyIds().stream().map(Object::toString)
                    .collect(Collectors.toList());
            throw new MdmException("unknown key '" + e.getPropertyName() + "' in " + path(where, e) + ": "
                    + Names.suggestion(e.getPropertyName(), known));
        } catch (InvalidFormatException e) {
            throw new MdmException("bad value " + e.getValue() + " for '" + path(where, e) + "': expected "
                    + friendly(e.getTargetType()) + ".");
        } catch (MismatchedInputException e) {
            throw new MdmException("bad value for '" + path(where, e) + "': expected "
                    + friendly(e.getTargetType()) + " (" + e.getOriginalMessage().lines().findFirst().orElse("") + ").");
        } catch (IOException e) {
            throw new MdmException("cannot read " + where + ": " + e.getMessage().lines().findFirst().orElse(""), e);
        } catch (IllegalArgumentException e) {
            // a record's compact constructor rejected a value; its message says which and why
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            throw new MdmException("invalid " + where + ": " + root.getMessage(), e);
        }
    }

    private static String path(String where, MismatchedInputException e) {
        List<String> parts = new ArrayList<>();
        parts.add(where);
        for (var ref : e.getPath()) {
            parts.add(ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]");
        }
        if (e instanceof UnrecognizedPropertyException && !parts.isEmpty()) {
            parts.remove(parts.size() - 1);
        }
        return String.join(".", parts).replace(".[", "[");
    }

    private static String friendly(Class<?> type) {
        if (type == null) {
            return "another type";
        }
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
            return "an integer";
        }
        if (type == double.class || type == Double.class || type == float.class || type == Float.class) {
            return "a number";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "true or false";
        }
        if (type == String.class) {
            return "a string";
        }
        if (type.isEnum()) {
            return "one of " + java.util.Arrays.toString(type.getEnumConstants());
        }
        return "a " + type.getSimpleName();
    }
}
