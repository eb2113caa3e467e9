package mdm.api;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The options of a component as the experiment spec gives them (a mapping of a YAML/JSON spec),
 * immutable and free of any parser's types: what schedules, samplers, conditioners, datasets and
 * backbones receive.
 *
 * <p>Values are {@code null}, {@link Boolean}, {@link Long} (whole numbers), {@link Double},
 * {@link String}, unmodifiable {@link List}s of values and nested {@code Options}. Read them with the
 * typed getters ({@link #getDouble(String, double)} …), or bind the whole mapping to a record with
 * {@link #bind(Class, String)}: record component {@code timestepSpacing} reads key
 * {@code timestep_spacing} (or the name given by {@link Key}), unknown keys are errors naming the
 * nearest valid key, and a record's compact constructor can check values and fill defaults.
 *
 * <pre>
 * record EdmOptions(Double rho, &#64;Options.Key("s_churn") Double churn) { … }
 * EdmOptions o = request.options().bind(EdmOptions.class, "edm-heun sampler options");
 * </pre>
 */
public final class Options {
    private static final Options EMPTY = new Options(Map.of());

    /** The spec key a record component binds to when it is not the component's snake_case name. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.RECORD_COMPONENT, ElementType.PARAMETER, ElementType.FIELD, ElementType.METHOD})
    public @interface Key {
        String value();
    }

    private final Map<String, Object> values;

    private Options(Map<String, Object> values) {
        this.values = values;
    }

    /** No options. */
    public static Options empty() {
        return EMPTY;
    }

    /**
     * Options from plain Java values: maps with string keys become nested options, collections and
     * arrays lists, integral numbers {@code Long}, other numbers {@code Double}, enums their name.
     *
     * @throws IllegalArgumentException for a value of another type
     */
    public static Options of(Map<String, ?> values) {
        if (values == null || values.isEmpty()) {
            return EMPTY;
        }
        Map<String, Object> copy = new LinkedHashMap<>();
        values.forEach((k, v) -> {
            if (k == null) {
                throw new IllegalArgumentException("options keys must not be null");
            }
            copy.put(k, normalise(v, k));
        });
        return new Options(Collections.unmodifiableMap(copy));
    }

    /** Options of alternating keys and values, e.g. {@code Options.of("eta", 0.5)}. */
    public static Options of(Object... keysAndValues) {
        if (keysAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("Options.of needs key, value pairs");
        }
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put(String.valueOf(keysAndValues[i]), keysAndValues[i + 1]);
        }
        return of(map);
    }

    private static Object normalise(Object v, String where) {
        if (v == null || v instanceof Boolean || v instanceof String || v instanceof Options) {
            return v;
        }
        if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        if (v instanceof BigInteger b) {
            if (b.bitLength() >= 64) {
                throw new IllegalArgumentException("option '" + where + "': " + b + " is too large");
            }
            return b.longValue();
        }
        if (v instanceof BigDecimal || v instanceof Double || v instanceof Float) {
            return ((Number) v).doubleValue();
        }
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        if (v instanceof Character || v instanceof CharSequence) {
            return v.toString();
        }
        if (v instanceof Enum<?> e) {
            return e.name().toLowerCase(Locale.ROOT);
        }
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> copy = new LinkedHashMap<>();
            m.forEach((k, x) -> copy.put(String.valueOf(k), normalise(x, where + "." + k)));
            return copy.isEmpty() ? EMPTY : new Options(Collections.unmodifiableMap(copy));
        }
        if (v instanceof Iterable<?> it) {
            List<Object> list = new ArrayList<>();
            int i = 0;
            for (Object x : it) {
                list.add(normalise(x, where + "[" + i++ + "]"));
            }
            return Collections.unmodifiableList(list);
        }
        if (v.getClass().isArray()) {
            List<Object> list = new ArrayList<>();
            int n = java.lang.reflect.Array.getLength(v);
            for (int i = 0; i < n; i++) {
                list.add(normalise(java.lang.reflect.Array.get(v, i), where + "[" + i + "]"));
            }
            return Collections.unmodifiableList(list);
        }
        throw new IllegalArgumentException("option '" + where + "' has a value of type " + v.getClass().getName()
                + ": options hold only null, booleans, numbers, strings, lists and mappings");
    }

    /** The keys in the order they were given. */
    public Set<String> keys() {
        return values.keySet();
    }

    public boolean has(String key) {
        return values.containsKey(key);
    }

    public boolean isEmpty() {
        return values.isEmpty();
    }

    public int size() {
        return values.size();
    }

    /** The raw value (see the class comment for its types), or null when absent or null. */
    public Object get(String key) {
        return values.get(key);
    }

    /** The string at {@code key}, or {@code fallback} when absent or null. */
    public String getString(String key, String fallback) {
        Object v = values.get(key);
        if (v == null) {
            return fallback;
        }
        if (v instanceof String s) {
            return s;
        }
        throw wrongType(key, v, "a string");
    }

    /** The string at {@code key}, if given. */
    public Optional<String> getString(String key) {
        return Optional.ofNullable(getString(key, null));
    }

    public boolean getBoolean(String key, boolean fallback) {
        Object v = values.get(key);
        if (v == null) {
            return fallback;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        throw wrongType(key, v, "true or false");
    }

    public double getDouble(String key, double fallback) {
        Object v = values.get(key);
        if (v == null) {
            return fallback;
        }
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        throw wrongType(key, v, "a number");
    }

    public long getLong(String key, long fallback) {
        Object v = values.get(key);
        if (v == null) {
            return fallback;
        }
        return wholeNumber(key, v, Long.MIN_VALUE, Long.MAX_VALUE);
    }

    public int getInt(String key, int fallback) {
        Object v = values.get(key);
        if (v == null) {
            return fallback;
        }
        return (int) wholeNumber(key, v, Integer.MIN_VALUE, Integer.MAX_VALUE);
    }

    /** The nested mapping at {@code key}; empty when absent or null. */
    public Options getOptions(String key) {
        Object v = values.get(key);
        if (v == null) {
            return EMPTY;
        }
        if (v instanceof Options o) {
            return o;
        }
        throw wrongType(key, v, "a mapping");
    }

    /** The list at {@code key} (a single value counts as a list of one); empty when absent or null. */
    public List<Object> getList(String key) {
        Object v = values.get(key);
        if (v == null) {
            return List.of();
        }
        if (v instanceof List<?> l) {
            return Collections.unmodifiableList(l);
        }
        return List.of(v);
    }

    /** These options with {@code key} set to {@code value} (a plain Java value as for {@link #of(Map)}). */
    public Options with(String key, Object value) {
        Map<String, Object> copy = new LinkedHashMap<>(values);
        copy.put(key, normalise(value, key));
        return new Options(Collections.unmodifiableMap(copy));
    }

    /** These options without the given keys. */
    public Options without(String... keys) {
        Map<String, Object> copy = new LinkedHashMap<>(values);
        for (String k : keys) {
            copy.remove(k);
        }
        return copy.isEmpty() ? EMPTY : new Options(Collections.unmodifiableMap(copy));
    }

    /**
     * These options with {@code overrides} laid over them: nested mappings merge key by key, any
     * other value (lists included) replaces the one here.
     */
    public Options merge(Options overrides) {
        if (overrides == null || overrides.isEmpty()) {
            return this;
        }
        Map<String, Object> copy = new LinkedHashMap<>(values);
        overrides.values.forEach((k, v) -> {
            Object mine = copy.get(k);
            copy.put(k, mine instanceof Options a && v instanceof Options b ? a.merge(b) : v);
        });
        return new Options(Collections.unmodifiableMap(copy));
    }

    /** A deep copy as plain Java values: nested options become {@code Map}s, lists {@code List}s. */
    public Map<String, Object> toMap() {
        Map<String, Object> out = new LinkedHashMap<>();
        values.forEach((k, v) -> out.put(k, plain(v)));
        return out;
    }

    private static Object plain(Object v) {
        if (v instanceof Options o) {
            return o.toMap();
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            l.forEach(x -> out.add(plain(x)));
            return out;
        }
        return v;
    }

    /**
     * Checks that every key is one of {@code allowed}.
     *
     * @param where a human name of the options, e.g. {@code "ddim sampler options"}, used in errors
     * @throws MdmException naming the unknown key, the nearest valid one and all valid ones
     */
    public void requireOnly(Set<String> allowed, String where) {
        for (String k : values.keySet()) {
            if (!allowed.contains(k)) {
                throw new MdmException("unknown key '" + k + "' in " + where + ": " + suggestion(k, allowed));
            }
        }
    }

    /**
     * Binds these options to a record strictly: each component reads the key of its snake_case name
     * (or its {@link Key}); an absent key gives null (0 or false for primitives) so the compact
     * constructor can fill defaults; an unknown key, a value of the wrong type, or an
     * {@link IllegalArgumentException} of the constructor is an {@link MdmException} naming the key.
     * Component types: boolean, int, long, double, float (or boxed), String, enums (matched by name
     * ignoring case, '-' read as '_'), {@code List<T>} of these, nested records and {@code Options}.
     *
     * @param where a human name of the options, used in errors
     */
    public <R extends Record> R bind(Class<R> type, String where) {
        RecordComponent[] components = type.getRecordComponents();
        Map<String, RecordComponent> byKey = new LinkedHashMap<>();
        for (RecordComponent c : components) {
            byKey.put(keyOf(c), c);
        }
        requireOnly(byKey.keySet(), where);
        Object[] args = new Object[components.length];
        Class<?>[] types = new Class<?>[components.length];
        for (int i = 0; i < components.length; i++) {
            RecordComponent c = components[i];
            String key = keyOf(c);
            types[i] = c.getType();
            args[i] = convert(values.get(key), c.getGenericType(), where + "." + key);
        }
        try {
            Constructor<R> constructor = type.getDeclaredConstructor(types);
            constructor.setAccessible(true);
            return constructor.newInstance(args);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof MdmException m) {
                throw m;
            }
            if (cause instanceof IllegalArgumentException) {
                throw new MdmException("invalid " + where + ": " + cause.getMessage(), cause);
            }
            throw new IllegalStateException("cannot create " + type.getName(), cause);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("cannot bind options to " + type.getName()
                    + " (the record and its canonical constructor must be accessible to mdm.api)", e);
        }
    }

    /** The spec key of a record component: its {@link Key}, else its name in snake_case. */
    public static String keyOf(RecordComponent c) {
        Key key = c.getAnnotation(Key.class);
        return key != null ? key.value() : snakeCase(c.getName());
    }

    /** {@code timestepSpacing} → {@code timestep_spacing}. */
    public static String snakeCase(String name) {
        StringBuilder out = new StringBuilder();
        for (char ch : name.toCharArray()) {
            if (Character.isUpperCase(ch)) {
                out.append('_').append(Character.toLowerCase(ch));
            } else {
                out.append(ch);
            }
        }
        return out.toString();
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object convert(Object v, Type type, String where) {
        Class<?> raw = type instanceof ParameterizedType p ? (Class<?>) p.getRawType() : (Class<?>) type;
        if (v == null) {
            if (raw == boolean.class) {
                return false;
            }
            if (raw == int.class) {
                return 0;
            }
            if (raw == long.class) {
                return 0L;
            }
            if (raw == double.class) {
                return 0.0;
            }
            if (raw == float.class) {
                return 0f;
            }
            return null;
        }
        if (raw == Object.class) {
            return v;
        }
        if (raw == boolean.class || raw == Boolean.class) {
            if (v instanceof Boolean) {
                return v;
            }
            throw wrongType(where, v, "true or false");
        }
        if (raw == int.class || raw == Integer.class) {
            return (int) wholeNumber(where, v, Integer.MIN_VALUE, Integer.MAX_VALUE);
        }
        if (raw == long.class || raw == Long.class) {
            return wholeNumber(where, v, Long.MIN_VALUE, Long.MAX_VALUE);
        }
        if (raw == double.class || raw == Double.class || raw == float.class || raw == Float.class) {
            if (!(v instanceof Number n)) {
                throw wrongType(where, v, "a number");
            }
            return raw == float.class || raw == Float.class ? (Object) n.floatValue() : (Object) n.doubleValue();
        }
        if (raw == String.class) {
            if (v instanceof String) {
                return v;
            }
            if (v instanceof Number || v instanceof Boolean) {
                return String.valueOf(v);
            }
            throw wrongType(where, v, "a string");
        }
        if (raw.isEnum()) {
            if (!(v instanceof String s)) {
                throw wrongType(where, v, "one of " + enumNames(raw));
            }
            String wanted = s.trim().replace('-', '_');
            for (Object constant : raw.getEnumConstants()) {
                if (((Enum<?>) constant).name().equalsIgnoreCase(wanted)) {
                    return constant;
                }
            }
            throw new MdmException("bad value '" + s + "' for '" + where + "': expected one of " + enumNames(raw) + ".");
        }
        if (raw == Options.class) {
            if (v instanceof Options) {
                return v;
            }
            throw wrongType(where, v, "a mapping");
        }
        if (raw == List.class) {
            Type element = type instanceof ParameterizedType p ? p.getActualTypeArguments()[0] : Object.class;
            List<?> in = v instanceof List<?> l ? l : List.of(v);
            List<Object> out = new ArrayList<>();
            for (int i = 0; i < in.size(); i++) {
                out.add(convert(in.get(i), element, where + "[" + i + "]"));
            }
            return Collections.unmodifiableList(out);
        }
        if (raw.isRecord()) {
            if (!(v instanceof Options o)) {
                throw wrongType(where, v, "a mapping");
            }
            return o.bind((Class) raw, where);
        }
        throw new IllegalStateException("options cannot bind " + where + " to " + type.getTypeName());
    }

    private static String enumNames(Class<?> type) {
        List<String> names = new ArrayList<>();
        for (Object c : type.getEnumConstants()) {
            names.add(((Enum<?>) c).name().toLowerCase(Locale.ROOT));
        }
        return names.toString();
    }

    private static long wholeNumber(String key, Object v, long min, long max) {
        if (v instanceof Long l) {
            if (l < min || l > max) {
                throw new MdmException("bad value " + l + " for '" + key + "': out of range " + min + ".." + max + ".");
            }
            return l;
        }
        if (v instanceof Double d && d == Math.rint(d) && d >= min && d <= max) {
            return d.longValue();
        }
        throw wrongType(key, v, "an integer");
    }

    private static MdmException wrongType(String key, Object v, String expected) {
        String shown = v instanceof String ? "'" + v + "'" : String.valueOf(v);
        return new MdmException("bad value " + shown + " for '" + key + "': expected " + expected + ".");
    }

    /** "did you mean 'x'? Valid: a, b." for an unknown key. */
    private static String suggestion(String name, Set<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = distance(name.toLowerCase(Locale.ROOT), c.toLowerCase(Locale.ROOT));
            if (d < bestDistance && d <= Math.max(2, c.length() / 2)) {
                best = c;
                bestDistance = d;
            }
        }
        List<String> sorted = new ArrayList<>(candidates);
        Collections.sort(sorted);
        return (best == null ? "" : "did you mean '" + best + "'? ")
                + (sorted.isEmpty() ? "this component takes no options." : "Valid: " + String.join(", ", sorted) + ".");
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Options other && values.equals(other.values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    /** JSON text of the options (for messages and logs). */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder();
        write(this, out);
        return out.toString();
    }

    private static void write(Object v, StringBuilder out) {
        if (v instanceof Options o) {
            out.append('{');
            boolean first = true;
            for (Map.Entry<String, Object> e : o.values.entrySet()) {
                if (!first) {
                    out.append(", ");
                }
                first = false;
                quote(e.getKey(), out);
                out.append(": ");
                write(e.getValue(), out);
            }
            out.append('}');
        } else if (v instanceof List<?> l) {
            out.append('[');
            for (int i = 0; i < l.size(); i++) {
                if (i > 0) {
                    out.append(", ");
                }
                write(l.get(i), out);
            }
            out.append(']');
        } else if (v instanceof String s) {
            quote(s, out);
        } else {
            out.append(v);
        }
    }

    private static void quote(String s, StringBuilder out) {
        out.append('"');
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                case '\r' -> out.append("\\r");
                default -> {
                    if (ch < 0x20) {
                        out.append(String.format("\\u%04x", (int) ch));
                    } else {
                        out.append(ch);
                    }
                }
            }
        }
        out.append('"');
    }
}
