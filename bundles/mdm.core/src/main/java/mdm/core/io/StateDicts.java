package mdm.core.io;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import mdm.api.MdmException;
import mdm.core.tensor.NativeArrays;

/** Strict loading of a state dict into a model's parameter arrays, and key renaming. */
public final class StateDicts {
    /** Lines shown per list in a mismatch report before the rest is summarised. */
    static final int SHOWN_LINES = 25;

    private StateDicts() {
    }

    /** {@link #loadStrict(Map, Map, KeyMapping)} with keys unchanged. */
    public static void loadStrict(Map<String, NDArray> source, Map<String, NDArray> target) {
        loadStrict(source, target, KeyMapping.identity());
    }

    /**
     * Copies every source array, renamed by {@code mapping}, into the target array of the same name, in place
     * (the target arrays keep their identity, manager, device and gradient), converting to the target's data
     * type. Nothing is copied unless the key sets match exactly and every shape agrees; otherwise an
     * {@link MdmException} lists all missing and unexpected keys and shape mismatches. To load into part of a
     * model, pass {@link #withPrefix}{@code (modelParameters, "inner_unet.")} as the target.
     */
    public static void loadStrict(Map<String, NDArray> source, Map<String, NDArray> target, KeyMapping mapping) {
        Map<String, NDArray> renamed = rename(source, mapping);
        List<String> missing = new ArrayList<>();
        List<String> mismatched = new ArrayList<>();
        for (Map.Entry<String, NDArray> t : target.entrySet()) {
            NDArray s = renamed.get(t.getKey());
            if (s == null) {
                missing.add(t.getKey());
            } else if (!s.getShape().equals(t.getValue().getShape())) {
                mismatched.add(t.getKey() + ": " + s.getShape() + " in the file, " + t.getValue().getShape()
                        + " in the model");
            }
        }
        List<String> unexpected = renamed.keySet().stream().filter(k -> !target.containsKey(k)).toList();
        if (!missing.isEmpty() || !unexpected.isEmpty() || !mismatched.isEmpty()) {
            throw new MdmException(report(missing, unexpected, mismatched, mapping));
        }
        for (Map.Entry<String, NDArray> t : target.entrySet()) {
            copyInto(renamed.get(t.getKey()), t.getValue());
        }
    }

    /** The same arrays under new names, in the same order; two keys mapped to one name is an error. */
    public static Map<String, NDArray> rename(Map<String, NDArray> source, KeyMapping mapping) {
        Map<String, NDArray> renamed = new LinkedHashMap<>();
        Map<String, String> origin = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : source.entrySet()) {
            String name = mapping.apply(e.getKey());
            String earlier = origin.put(name, e.getKey());
            if (earlier != null) {
                throw new MdmException("Key mapping " + mapping + " maps both '" + earlier + "' and '" + e.getKey()
                        + "' to '" + name + "'");
            }
            renamed.put(name, e.getValue());
        }
        return renamed;
    }

    /**
     * The entries whose key starts with {@code prefix}, with the prefix removed, in order (the same arrays,
     * not copies). {@code withPrefix(nested.parameters, "inner_unet.")} is the inner network's state dict.
     */
    public static Map<String, NDArray> withPrefix(Map<String, NDArray> map, String prefix) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        map.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.put(k.substring(prefix.length()), v);
            }
        });
        return out;
    }

    private static void copyInto(NDArray source, NDArray target) {
        // an element-wise copy into the target's own storage: set(Buffer) would make the parameter
        // live in a Java buffer that is freed when its handle is collected
        NativeArrays.assign(target, source);
    }

    static String report(List<String> missing, List<String> unexpected, List<String> mismatched,
            KeyMapping mapping) {
        StringBuilder b = new StringBuilder("The state dict does not fit the model (strict loading");
        if (mapping != KeyMapping.identity()) {
            b.append(", file keys mapped by ").append(mapping);
        }
        b.append("): ").append(missing.size()).append(" missing, ").append(unexpected.size())
                .append(" unexpected, ").append(mismatched.size()).append(" with a different shape.");
        section(b, "Missing (the model has them, the file does not)", missing, true);
        section(b, "Unexpected (in the file, not in the model)", unexpected, true);
        section(b, "Shape mismatches", mismatched, false);
        hint(missing, unexpected).ifPresent(h -> b.append("\nHint: ").append(h));
        return b.toString();
    }

    private static void section(StringBuilder b, String title, List<String> keys, boolean group) {
        if (keys.isEmpty()) {
            return;
        }
        b.append('\n').append(title).append(", ").append(keys.size()).append(':');
        if (keys.size() > SHOWN_LINES) {
            b.append(" by first name part ").append(countsByHead(keys)).append(';');
        }
        List<String> lines = group ? groupByModule(keys) : new ArrayList<>(new TreeSet<>(keys));
        for (String line : lines.subList(0, Math.min(SHOWN_LINES, lines.size()))) {
            b.append("\n  ").append(line);
        }
        if (lines.size() > SHOWN_LINES) {
            b.append("\n  … ").append(lines.size() - SHOWN_LINES).append(" more line(s)");
        }
    }

    /** Sorted keys with a shared module path folded: {@code a.b.weight, a.b.bias} → {@code a.b.{bias, weight}}. */
    static List<String> groupByModule(Collection<String> keys) {
        Map<String, List<String>> byModule = new TreeMap<>();
        for (String k : new TreeSet<>(keys)) {
            int dot = k.lastIndexOf('.');
            byModule.computeIfAbsent(dot < 0 ? "" : k.substring(0, dot), m -> new ArrayList<>())
                    .add(dot < 0 ? k : k.substring(dot + 1));
        }
        List<String> lines = new ArrayList<>();
        byModule.forEach((module, leaves) -> {
            String prefix = module.isEmpty() ? "" : module + ".";
            lines.add(leaves.size() == 1 ? prefix + leaves.get(0) : prefix + "{" + String.join(", ", leaves) + "}");
        });
        return lines;
    }

    private static String countsByHead(List<String> keys) {
        Map<String, Integer> counts = new TreeMap<>();
        for (String k : keys) {
            int dot = k.indexOf('.');
            counts.merge(dot < 0 ? k : k.substring(0, dot), 1, Integer::sum);
        }
        List<String> parts = new ArrayList<>();
        counts.forEach((head, n) -> parts.add(head + " " + n));
        return String.join(", ", parts);
    }

    /** A prefix rule that would turn the unexpected keys into the missing ones, when one does. */
    private static Optional<String> hint(List<String> missing, List<String> unexpected) {
        if (missing.isEmpty() || unexpected.isEmpty()) {
            return Optional.empty();
        }
        String u = unexpected.get(0);
        for (String m : missing) {
            String rule = null;
            KeyMapping mapping = null;
            if (m.endsWith(u) && m.length() > u.length()) {
                String p = m.substring(0, m.length() - u.length());
                rule = "KeyMapping.addPrefix(\"" + p + "\")";
                mapping = KeyMapping.addPrefix(p);
            } else if (u.endsWith(m) && u.length() > m.length()) {
                String p = u.substring(0, u.length() - m.length());
                rule = "KeyMapping.stripPrefix(\"" + p + "\")";
                mapping = KeyMapping.stripPrefix(p);
            }
            if (mapping != null) {
                KeyMapping candidate = mapping;
                Set<String> wanted = new HashSet<>(missing);
                long fixed = unexpected.stream().filter(k -> wanted.contains(candidate.apply(k))).count();
                if (fixed * 2 >= unexpected.size()) {
                    return Optional.of(rule + " maps " + fixed + " of the " + unexpected.size()
                            + " unexpected keys onto missing ones.");
                }
            }
        }
        return Optional.empty();
    }
}
