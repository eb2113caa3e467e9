package mdm.trainer.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import mdm.api.MdmException;

/**
 * Reads and cuts the ml-mdm model section as JSON, before any backbone parses it: how deep the
 * nesting is, how many resolution levels each nested UNet has, and the sub-network of the
 * innermost k levels that a progressive stage trains on its own.
 */
final class ModelSections {
    static final String INNER = "inner_config";
    static final String INNER_PREFIX = "inner_unet.";

    private ModelSections() {
    }

    /** Number of nested networks: 1 for a UNet, 2 for a NestedUNet around a UNet, ... */
    static int depth(JsonNode model) {
        int d = 1;
        JsonNode n = model;
        while (n.hasNonNull(INNER)) {
            n = n.get(INNER);
            d++;
        }
        return d;
    }

    /** Number of entries of {@code resolution_channels} per nested network, outermost first (-1 if absent). */
    static List<Integer> levelsPerNetwork(JsonNode model) {
        List<Integer> out = new ArrayList<>();
        JsonNode n = model;
        while (n != null) {
            JsonNode rc = n.get("resolution_channels");
            if (rc == null || rc.isNull()) {
                out.add(-1);
            } else if (rc.isArray()) {
                out.add(rc.size());
            } else {
                out.add(rc.asText().split(",").length);
            }
            n = n.get(INNER);
        }
        return out;
    }

    /**
     * The innermost {@code levels} networks as a model of their own: the outer ones removed, the
     * new outermost no longer in nesting mode, conditioning width as the full model's.
     */
    static ObjectNode innermost(JsonNode model, int levels) {
        int depth = depth(model);
        if (levels < 1 || levels > depth) {
            throw new MdmException("a stage trains " + levels + " levels but the model has " + depth
                    + " (one per nested network): use levels between 1 and " + depth);
        }
        JsonNode n = model;
        for (int i = 0; i < depth - levels; i++) {
            n = n.get(INNER);
        }
        ObjectNode sub = ((ObjectNode) n).deepCopy();
        if (levels < depth) {
            sub.put("nesting", false);
            if (model.has("conditioning_feature_dim")) {
                sub.set("conditioning_feature_dim", model.get("conditioning_feature_dim"));
            }
            // alone, an inner network needs its own conditioning path; its mid blocks stay as written
            // (skip_mid_blocks), so that the next stage finds exactly the layers it inherits
            sub.remove("skip_cond_emb");
        }
        return sub;
    }

    /** The key prefix of the innermost {@code inner} levels inside a model of {@code outer} levels. */
    static String prefix(int outer, int inner) {
        return INNER_PREFIX.repeat(outer - inner);
    }
}
