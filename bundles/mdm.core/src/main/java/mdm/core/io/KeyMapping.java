package mdm.core.io;

import java.util.ArrayList;
import java.util.List;

/**
 * Renames state-dict keys by prefix rules applied in order, e.g. {@code stripPrefix("module.")} for weights
 * saved from {@code DataParallel}, or {@code addPrefix("inner_unet.")} to put a 16² model's weights under the
 * inner network of a bigger one. Immutable.
 */
public final class KeyMapping {
    private record Rule(String from, String to) {
        String apply(String key) {
            return key.startsWith(from) ? to + key.substring(from.length()) : key;
        }

        @Override
        public String toString() {
            return from.isEmpty() ? "add '" + to + "'" : to.isEmpty() ? "strip '" + from + "'"
                    : "'" + from + "' → '" + to + "'";
        }
    }

    private static final KeyMapping IDENTITY = new KeyMapping(List.of());

    private final List<Rule> rules;

    private KeyMapping(List<Rule> rules) {
        this.rules = List.copyOf(rules);
    }

    /** Keys unchanged. */
    public static KeyMapping identity() {
        return IDENTITY;
    }

    /** Removes {@code prefix} from keys that start with it; other keys unchanged. */
    public static KeyMapping stripPrefix(String prefix) {
        return new KeyMapping(List.of(new Rule(prefix, "")));
    }

    /** Puts {@code prefix} in front of every key. */
    public static KeyMapping addPrefix(String prefix) {
        return new KeyMapping(List.of(new Rule("", prefix)));
    }

    /** Replaces a leading {@code from} by {@code to}; keys without it unchanged. */
    public static KeyMapping replacePrefix(String from, String to) {
        return new KeyMapping(List.of(new Rule(from, to)));
    }

    /** This mapping, then {@code next}. */
    public KeyMapping then(KeyMapping next) {
        List<Rule> all = new ArrayList<>(rules);
        all.addAll(next.rules);
        return new KeyMapping(all);
    }

    /** The new name of {@code key}. */
    public String apply(String key) {
        String k = key;
        for (Rule r : rules) {
            k = r.apply(k);
        }
        return k;
    }

    @Override
    public String toString() {
        return rules.isEmpty() ? "identity" : rules.toString();
    }
}
