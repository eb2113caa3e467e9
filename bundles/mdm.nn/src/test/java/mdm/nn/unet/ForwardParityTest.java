package mdm.nn.unet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import mdm.api.model.Conditioning;
import mdm.core.io.StateDicts;
import mdm.core.runtime.EngineRuntime;
import mdm.nn.Compare;
import mdm.nn.Fixtures;
import mdm.nn.Forward;
import org.junit.jupiter.api.Test;
import mdm.core.config.Json;
import mdm.core.fixtures.EngineExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Forward outputs at every resolution against the fp32 reference (max-abs ≤ 1e-4), with the weights
 * the reference ran with (rebuilt from their seeds; for nested32 also partly read from the
 * reference's torch.save file), and the per-layer intermediates of the text case.
 */
class ForwardParityTest {
    static final double TOL = 1e-4;
    static EngineRuntime runtime;

    @RegisterExtension
    static final EngineExtension ENGINE = new EngineExtension(r -> runtime = r);

    /** The reference model with the weights its fixtures were made with. */
    static UNetBackbone load(String model, JsonNode config, NDManager m) {
        return load(model, config, Fixtures.weights(model, m), m);
    }

    static UNetBackbone load(String model, JsonNode config, Map<String, NDArray> weights, NDManager m) {
        UNetBackbone b = new UNetModels(Fixtures.registryName(model)).create(
                new UNetModels(Fixtures.registryName(model)).parseConfig(Json.options(config)), m, 0);
        StateDicts.loadStrict(weights, b.parameters());
        return b;
    }

    /** The model inputs of a case: noisy images (highest first), times, conditioning. */
    record Case(List<NDArray> noisy, NDArray times, Conditioning cond) {
    }

    static Case inputs(String model, String kase, NDManager m) {
        Map<String, NDArray> in = Fixtures.arrays(model + "_inputs.npz", m);
        List<NDArray> noisy = new ArrayList<>();
        noisy.add(in.get("x_t.32"));
        if (in.containsKey("x_t.16")) {
            noisy.add(in.get("x_t.16"));
        }
        Conditioning cond;
        if (kase.startsWith("text")) {
            cond = new Conditioning(in.get("text.lm_outputs"), in.get("text.lm_mask"), Map.of());
        } else {
            cond = new Conditioning(in.get("class.lm_outputs"), null, Map.of("scale", in.get("class.micro_scale")));
        }
        return new Case(noisy, in.get("times"), cond);
    }

    static JsonNode config(String model, String kase) {
        JsonNode c = Fixtures.configAsGiven(model);
        if (kase.equals("text_skipnorm")) {
            ((ObjectNode) c).put("skip_normalization", true);
        }
        return c;
    }

    private void checkOutputs(String model, String kase) {
        try (NDManager m = runtime.newManager()) {
            checkOutputs(model, kase, Fixtures.weights(model, m), "seeded weights", m);
        }
    }

    private void checkOutputs(String model, String kase, Map<String, NDArray> weights, String source, NDManager m) {
        UNetBackbone b = load(model, config(model, kase), weights, m);
        Case c = inputs(model, kase, m);
        List<NDArray> out = b.forward(c.noisy(), c.times(), c.cond(), false);
        Map<String, NDArray> ref = Fixtures.arrays(model + "_outputs.npz", m);
        int[] sizes = {32, 16};
        assertEquals(c.noisy().size(), out.size());
        for (int i = 0; i < out.size(); i++) {
            NDArray r = ref.get(kase + ".fp32.out" + sizes[i]);
            double err = Compare.maxAbs(out.get(i), r);
            System.out.printf("%s %s out%d (%s, %s): max-abs %.2e, relative L2 %.2e%n", model, kase, sizes[i], source,
                    m.getDevice(), err, Compare.relativeL2(out.get(i), r));
            assertTrue(err <= TOL, model + " " + kase + " out" + sizes[i] + " (" + source + "): max-abs " + err);
        }
        b.close();
    }

    @Test
    void unet32() {
        checkOutputs("unet32", "text");
        checkOutputs("unet32", "class");
    }

    @Test
    void nested32() {
        checkOutputs("nested32", "text");
        checkOutputs("nested32", "class");
        checkOutputs("nested32", "text_skipnorm");
    }

    /** The tensors of the reference's torch.save file replace the seeded ones; the rest stay seeded. */
    @Test
    void nested32FromTorchFile() {
        try (NDManager m = runtime.newManager()) {
            Map<String, NDArray> weights = Fixtures.weights("nested32", m);
            Map<String, NDArray> pt = Fixtures.arrays("nested32_state_dict_subset.pt", m);
            assertTrue(weights.keySet().containsAll(pt.keySet()));
            weights.putAll(pt);
            checkOutputs("nested32", "text", weights, pt.size() + " tensors from nested32_state_dict_subset.pt", m);
            checkOutputs("nested32", "class", weights, pt.size() + " tensors from nested32_state_dict_subset.pt", m);
        }
    }

    @Test
    void intermediatesOfTheTextCase() {
        for (String model : List.of("unet32", "nested32")) {
            try (NDManager m = runtime.newManager()) {
                UNetBackbone b = load(model, config(model, "text"), m);
                Case c = inputs(model, "text", m);
                Map<String, NDArray> seen = new LinkedHashMap<>();
                b.forward(c.noisy(), c.times(), c.cond(), new Forward(false, seen::put));
                Map<String, NDArray> ref = Fixtures.arrays(model + "_intermediates_fp32.npz", m);
                List<String> bad = new ArrayList<>();
                double worst = 0;
                for (Map.Entry<String, NDArray> e : ref.entrySet()) {
                    NDArray ours = seen.get(e.getKey());
                    if (ours == null) {
                        bad.add(e.getKey() + ": not traced");
                        continue;
                    }
                    double err = Compare.maxAbs(ours, e.getValue());
                    worst = Math.max(worst, err);
                    if (!(err <= TOL)) {
                        bad.add(e.getKey() + ": max-abs " + err);
                    }
                }
                System.out.printf("%s intermediates: %d compared, worst max-abs %.2e%n", model, ref.size(), worst);
                assertTrue(bad.isEmpty(), model + " intermediates differ (in forward order): " + bad);
                b.close();
            }
        }
    }
}
