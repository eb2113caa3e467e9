package mdm.eval.featurenet;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import mdm.api.data.Sample;

/**
 * What each classifier head predicts and how a sample's condition names its class: a label head
 * reads the class name in the caption (or else the label), a word head the first of its words the
 * caption mentions ("a large red striped circle …" → colour red, shape circle, size large).
 */
public final class Heads {
    public enum Source { LABEL, WORDS }

    public record Head(String name, Source source, List<String> classes) {
        public Head {
            classes = List.copyOf(classes);
        }
    }

    private final List<Head> heads;

    public Heads(List<Head> heads) {
        this.heads = List.copyOf(heads);
    }

    public List<Head> list() {
        return heads;
    }

    public Map<String, List<String>> classes() {
        Map<String, List<String>> out = new LinkedHashMap<>();
        heads.forEach(h -> out.put(h.name(), h.classes()));
        return out;
    }

    /** The class index the condition asks for at head {@code h}, or −1 when it names none. */
    public static int target(Head h, Sample s) {
        if (h.source() == Source.LABEL) {
            if (s.caption() != null) {
                int i = h.classes().indexOf(s.caption());
                if (i >= 0) {
                    return i;
                }
            }
            return s.label() >= 0 && s.label() < h.classes().size() ? s.label() : -1;
        }
        if (s.caption() == null) {
            return -1;
        }
        List<String> words = words(s.caption());
        int best = -1;
        int bestAt = Integer.MAX_VALUE;
        for (int c = 0; c < h.classes().size(); c++) {
            int at = words.indexOf(h.classes().get(c));
            if (at >= 0 && at < bestAt) {
                bestAt = at;
                best = c;
            }
        }
        return best;
    }

    private static List<String> words(String caption) {
        List<String> out = new ArrayList<>();
        for (String w : caption.toLowerCase(Locale.ROOT).split("[^a-z0-9]+")) {
            if (!w.isEmpty()) {
                out.add(w);
            }
        }
        return out;
    }
}
