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

/**
 * Reads JSON and YAML (a YAML parser reads both) and binds trees to records strictly: an unknown
 * key is an error naming the nearest valid key, a value of the wrong type names the key and the
 * expected type.
 */
public final class Json {
    private static final ObjectMapper MAPPER = new ObjectMapper(new AnchoredYamlFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .registerModule(new WholeNumbers());
    /** PyYAML's reading: a key given twice keeps its last value (ml-mdm's released YAML relies on it). */
    private static final ObjectMapper LAST_WINS = new ObjectMapper(new AnchoredYamlFactory()).registerModule(new WholeNumbers());
    private static final ObjectMapper JSON_WRITER = new ObjectMapper()
            .enable(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT);

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
            throw new MdmException("cannot parse " + file + ": " + e.getMessage().lines().findFirst().orElse(""), e);
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
            throw new MdmException("cannot parse " + file + ": " + e.getMessage().lines().findFirst().orElse(""), e);
        }
    }

    /** Parses JSON or YAML text. */
    public static JsonNode parse(String text) {
        try {
            JsonNode node = YamlTree.read(MAPPER.createParser(new java.io.StringReader(text)));
            return node == null || node.isMissingNode() ? empty() : node;
        } catch (IOException e) {
            throw new MdmException("cannot parse configuration: " + e.getMessage().lines().findFirst().orElse(""), e);
        }
    }

    /** An empty object node. */
    public static ObjectNode empty() {
        return JsonNodeFactory.instance.objectNode();
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
