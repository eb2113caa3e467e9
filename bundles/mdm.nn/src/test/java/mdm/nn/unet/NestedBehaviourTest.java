package mdm.nn.unet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import mdm.api.MdmException;
import mdm.api.model.Conditioning;
import mdm.core.runtime.EngineRuntime;
import mdm.nn.Compare;
import mdm.nn.Fixtures;
import org.junit.jupiter.api.Test;
import mdm.core.config.Json;
import mdm.core.fixtures.EngineExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Mixed batch, freezing, fresh-model zero output, input checks and the broken-reference switches. */
class NestedBehaviourTest {
    static EngineRuntime runtime;

    @RegisterExtension
    static final EngineExtension ENGINE = new EngineExtension(r -> runtime = r);

    /** The high-resolution batch is a prefix of the low one: those samples come out as in a full batch. */
    @Test
    void mixedBatchMatchesTheFullBatchOnTheSharedSamples() {
        try (NDManager m = runtime.newManager()) {
            UNetBackbone b = ForwardParityTest.load("nested32", Fixtures.configAsGiven("nested32"), m);
            ForwardParityTest.Case c = ForwardParityTest.inputs("nested32", "text", m);
            List<NDArray> full = b.forward(c.noisy(), c.times(), c.cond(), false);
            List<NDArray> mixed = b.forward(List.of(c.noisy().get(0).get("0:2"), c.noisy().get(1)), c.times(), c.cond(), false);
            assertEquals(new Shape(2, 3, 32, 32), mixed.get(0).getShape());
            assertEquals(new Shape(3, 3, 16, 16), mixed.get(1).getShape());
            assertTrue(Compare.maxAbs(mixed.get(0), full.get(0).get("0:2")) < 1e-5);
            assertTrue(Compare.maxAbs(mixed.get(1).get("0:2"), full.get(1).get("0:2")) < 1e-5);
            // the third sample's low level ran without the outer feature (zero padding)
            assertTrue(Compare.maxAbs(mixed.get(1).get("2:3"), full.get(1).get("2:3")) > 1e-4);
            b.close();
        }
    }

    @Test
    void freshModelOutputsZeroAndFreezesTheInnerUNet() {
        ObjectNode config = (ObjectNode) Fixtures.configAsGiven("nested32");
        config.put("freeze_inner_unet", true);
        try (NDManager m = runtime.newManager()) {
            UNetModels f = new UNetModels("nested_unet");
            UNetBackbone b = f.create(f.parseConfig(Json.options(config)), m, 42);
            long inner = b.parameters().keySet().stream().filter(k -> k.startsWith("inner_unet.")).count();
            assertEquals(inner, b.frozen().size());
            assertTrue(b.frozen().stream().allMatch(k -> k.startsWith("inner_unet.")));
            ForwardParityTest.Case c = ForwardParityTest.inputs("nested32", "text", m);
            for (NDArray out : b.forward(c.noisy(), c.times(), c.cond(), false)) {
                assertEquals(0f, out.abs().max().getFloat());
            }
            b.close();
        }
    }

    @Test
    void skipInnerUnetInputRunsTheInnerLevelOnItsOwnInput() {
        ObjectNode config = (ObjectNode) Fixtures.configAsGiven("nested32");
        config.put("skip_inner_unet_input", true);
        try (NDManager m = runtime.newManager()) {
            UNetModels f = new UNetModels("nested_unet");
            UNetBackbone b = f.create(f.parseConfig(Json.options(config)), m, 42);
            assertTrue(b.parameters().keySet().stream().noneMatch(k -> k.startsWith("in_adapter")));
            ForwardParityTest.Case c = ForwardParityTest.inputs("nested32", "text", m);
            assertEquals(2, b.forward(c.noisy(), c.times(), c.cond(), false).size());
            b.close();
        }
    }

    @Test
    void badInputsAreNamed() {
        try (NDManager m = runtime.newManager()) {
            UNetModels f = new UNetModels("nested_unet");
            UNetBackbone b = f.create(f.parseConfig(Json.options(Fixtures.configAsGiven("nested32"))), m, 1);
            ForwardParityTest.Case c = ForwardParityTest.inputs("nested32", "text", m);
            MdmException e = assertThrows(MdmException.class,
                    () -> b.forward(List.of(c.noisy().get(0)), c.times(), c.cond(), false));
            assertTrue(e.getMessage().contains("takes 2 inputs"), e.getMessage());
            e = assertThrows(MdmException.class,
                    () -> b.forward(List.of(c.noisy().get(0), c.noisy().get(0)), c.times(), c.cond(), false));
            assertTrue(e.getMessage().contains("expected 16×16"), e.getMessage());
            e = assertThrows(MdmException.class, () -> b.forward(c.noisy(), c.times(),
                    new Conditioning(m.zeros(new Shape(3, 7, 8)), null, Map.of()), false));
            assertTrue(e.getMessage().contains("expected (3, L, 16)"), e.getMessage());
            b.close();
        }
    }
}
