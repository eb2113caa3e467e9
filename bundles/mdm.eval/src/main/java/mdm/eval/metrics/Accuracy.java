package mdm.eval.metrics;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import mdm.api.MdmException;
import mdm.api.eval.Features;

/**
 * How often the feature network's classifier agrees with what an image was generated from:
 * {@code accuracy} is the share of checked images where every head the condition names agrees,
 * {@code accuracy_<head>} the share per head.
 */
public final class Accuracy {
    private Accuracy() {
    }

    public static Map<String, Double> compute(Features generated) {
        Map<String, int[]> perHead = new LinkedHashMap<>();
        int checked = 0;
        int right = 0;
        for (Map<String, Boolean> c : generated.checks()) {
            if (c.isEmpty()) {
                continue;
            }
            checked++;
            boolean all = true;
            for (var e : c.entrySet()) {
                int[] counts = perHead.computeIfAbsent(e.getKey(), k -> new int[2]);
                counts[0] += e.getValue() ? 1 : 0;
                counts[1]++;
                all &= e.getValue();
            }
            right += all ? 1 : 0;
        }
        if (checked == 0) {
            throw new MdmException("accuracy needs images generated from labels or captions that feature network '"
                    + generated.network() + "' can read; none of the " + generated.count() + " images names one"
                    + " (an unconditional model has no accuracy: leave it out of --metrics)");
        }
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("accuracy", (double) right / checked);
        if (perHead.size() > 1) {
            perHead.forEach((head, c) -> out.put("accuracy_" + head, (double) c[0] / c[1]));
        }
        return out;
    }

    /** The checks of a list (helper for callers that gather checks batch by batch). */
    public static int checkedCount(List<Map<String, Boolean>> checks) {
        return (int) checks.stream().filter(c -> !c.isEmpty()).count();
    }
}
