package mdm.study.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import mdm.api.MdmException;
import mdm.core.config.Names;

/**
 * Applies an arm's overrides to a spec tree. Each key is a dotted path ({@code components.backbone},
 * {@code diffusion.sampler_config.schedule_shifted}, {@code stages.0.steps}); its value replaces the
 * node there (a mapping replaces the whole section). The first part must be a section of a spec
 * and a component must be one a spec names; deeper keys are checked by the trainer when the
 * resolved spec is validated, which names the nearest valid key.
 */
final class SpecOverrides {
    /** The spec's sections an arm may change. */
    static final List<String> SECTIONS = List.of("import", "pipeline", "components", "model", "diffusion",
            "cascade", "latent", "optimizer", "training", "sampling", "stages", "data");
    /** Sections the study sets itself: overriding them would break the comparison or the folder layout. */
    static final List<String> STUDY_OWNED = List.of("name", "seed", "output", "evaluation");
    static final List<String> COMPONENTS = List.of("backbone", "schedule", "sampler", "conditioner", "dataset",
            "evaluator");

    private SpecOverrides() {
    }

    /** Applies {@code overrides} (a mapping of dotted keys) to {@code spec} in place. */
    static void apply(ObjectNode spec, JsonNode overrides, String where) {
        if (overrides == null || overrides.isNull()) {
            return;
        }
        if (!overrides.isObject()) {
            throw new MdmException(where + ": overrides must be a mapping of dotted keys to values, e.g. "
                    + "{components.backbone: unet, diffusion.multi_res_weights: \"1:0\"}");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = overrides.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            set(spec, e.getKey(), e.getValue().deepCopy(), where);
        }
    }

    private static void set(ObjectNode spec, String key, JsonNode value, String where) {
        String[] parts = key.split("\\.");
        String section = parts[0];
        String what = where + ": override '" + key + "'";
        if (STUDY_OWNED.contains(section)) {
            throw new MdmException(what + ": '" + section + "' is set by the study for every arm (name, seed, output "
                    + "folder, evaluation points); remove this override");
        }
        if (!SECTIONS.contains(section)) {
            throw new MdmException(what + ": a spec has no section '" + section + "'; "
                    + Names.suggestion(section, SECTIONS));
        }
        if (section.equals("components") && parts.length > 1 && !COMPONENTS.contains(parts[1])) {
            throw new MdmException(what + ": a spec names no component '" + parts[1] + "'; "
                    + Names.suggestion(parts[1], COMPONENTS));
        }
        JsonNode node = spec;
        for (int i = 0; i < parts.length - 1; i++) {
            node = child(node, parts, i, what);
        }
        String last = parts[parts.length - 1];
        if (node instanceof ObjectNode o) {
            o.set(last, value);
        } else if (node instanceof ArrayNode a) {
            a.set(index(a, last, what), value);
        } else {
            throw new MdmException(what + ": '" + String.join(".", java.util.Arrays.copyOf(parts, parts.length - 1))
                    + "' is a value, not a mapping");
        }
    }

    /** Steps one part down, making a mapping where none is (a component named by a string gets {name: …}). */
    private static JsonNode child(JsonNode node, String[] parts, int i, String what) {
        String part = parts[i];
        if (node instanceof ArrayNode a) {
            return a.get(index(a, part, what));
        }
        ObjectNode o = (ObjectNode) node;
        JsonNode next = o.get(part);
        if (next == null || next.isNull()) {
            if (i + 1 < parts.length && parts[i + 1].matches("\\d+")) {
                throw new MdmException(what + ": '" + part + "' is not in the spec, so it has no element "
                        + parts[i + 1]);
            }
            return o.putObject(part);
        }
        if (next.isTextual() && i == 1 && parts[0].equals("components")) {
            ObjectNode named = o.putObject(part);
            named.put("name", next.asText());
            return named;
        }
        if (!next.isContainerNode()) {
            throw new MdmException(what + ": '" + part + "' holds the value " + next + ", which has no keys");
        }
        return next;
    }

    private static int index(ArrayNode a, String part, String what) {
        if (!part.matches("\\d+") || Integer.parseInt(part) >= a.size()) {
            throw new MdmException(what + ": '" + part + "' is not an index of a list of " + a.size()
                    + " (use 0 to " + (a.size() - 1) + ")");
        }
        return Integer.parseInt(part);
    }
}
