package mdm.core.config;

import java.util.Collection;
import java.util.Comparator;
import java.util.Optional;

/** Finds the known name closest to a misspelt one, for "did you mean" messages. */
public final class Names {
    private Names() {
    }

    /** The candidate with the smallest edit distance, if it is close enough to be a plausible typo. */
    public static Optional<String> nearest(String name, Collection<String> candidates) {
        return candidates.stream()
                .min(Comparator.comparingInt((String c) -> distance(name.toLowerCase(), c.toLowerCase())))
                .filter(c -> distance(name.toLowerCase(), c.toLowerCase()) <= Math.max(2, c.length() / 2));
    }

    /** "did you mean 'x'? " or an empty string, followed by the full list of valid names. */
    public static String suggestion(String name, Collection<String> candidates) {
        String known = String.join(", ", candidates.stream().sorted().toList());
        return nearest(name, candidates).map(c -> "did you mean '" + c + "'? ").orElse("")
                + "Valid: " + known + ".";
    }

    /** Levenshtein distance. */
    static int distance(String a, String b) {
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
}
