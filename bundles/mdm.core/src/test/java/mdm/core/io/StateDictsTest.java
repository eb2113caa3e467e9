package mdm.core.io;

import static mdm.core.io.IoFixtures.assertSameBits;
import static mdm.core.io.IoFixtures.testdata;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import mdm.api.MdmException;
import mdm.core.fixtures.ReferenceWeights;
import mdm.core.runtime.EngineRuntime;
import mdm.core.tensor.Scalars;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import mdm.core.fixtures.EngineExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

class StateDictsTest {
    static EngineRuntime runtime;
    NDManager manager;

    @RegisterExtension
    static final EngineExtension ENGINE = new EngineExtension(r -> runtime = r);

    @BeforeEach
    void open() {
        manager = runtime.newManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private Map<String, NDArray> zerosLike(Map<String, NDArray> source, String prefix) {
        Map<String, NDArray> target = new LinkedHashMap<>();
        source.forEach((k, v) -> target.put(prefix + k, manager.zeros(v.getShape())));
        return target;
    }

    @Test
    void copiesInPlaceConvertingToTheTargetType() {
        Map<String, NDArray> source = new LinkedHashMap<>();
        source.put("conv.weight", manager.create(new double[] {0.1, -2.5, 3.0, 4.25}, new Shape(2, 2)));
        source.put("conv.bias", manager.create(new float[] {1.5f, -1f}));
        Map<String, NDArray> target = zerosLike(source, "");
        NDArray weight = target.get("conv.weight");
        StateDicts.loadStrict(source, target);
        assertSame(weight, target.get("conv.weight"));
        assertEquals(DataType.FLOAT32, weight.getDataType());
        assertArrayEquals(new float[] {0.1f, -2.5f, 3f, 4.25f}, weight.toFloatArray());
        assertArrayEquals(new float[] {1.5f, -1f}, target.get("conv.bias").toFloatArray());
        // the source stays independent of the target
        source.get("conv.bias").set(new float[] {9f, 9f});
        assertArrayEquals(new float[] {1.5f, -1f}, target.get("conv.bias").toFloatArray());
    }

    /** Loading into a parameter that already takes part in autograd keeps its gradient working. */
    @Test
    void loadedParameterStillTrains() {
        NDArray w = manager.zeros(new Shape(3));
        w.setRequiresGradient(true);
        StateDicts.loadStrict(Map.of("w", manager.create(new float[] {1f, 2f, 3f})), Map.of("w", w));
        try (NDManager step = manager.newSubManager(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray x = step.create(new float[] {4f, 5f, 6f});
            NDArray y = x.mul(w).mul(Scalars.of(step, 2.0)).sum();
            System.gc();
            gc.backward(y);
            assertEquals(2f * (4 + 10 + 18), y.getFloat());
        }
        assertArrayEquals(new float[] {8f, 10f, 12f}, w.getGradient().toFloatArray());
        assertArrayEquals(new float[] {1f, 2f, 3f}, w.toFloatArray());
    }

    /** torch.save's file of (part of) the reference's nested32 state dict loads with the weights' exact bits. */
    @Test
    void nested32PtLoadsStrictlyIntoAModelShapedMap() {
        Map<String, NDArray> pt = StateDictFiles.read(testdata("ml-mdm/nested32_state_dict_subset.pt"), manager);
        Map<String, NDArray> model = zerosLike(pt, "");
        StateDicts.loadStrict(pt, model);
        Map<String, NDArray> weights = ReferenceWeights.read(testdata("ml-mdm/nested32_weights.json"), manager);
        Map<String, NDArray> expected = new LinkedHashMap<>();
        pt.keySet().forEach(k -> expected.put(k, weights.get(k)));
        assertSameBits(expected, model);
    }

    @Test
    void everyMismatchIsListedAndNothingIsCopied() {
        Map<String, NDArray> target = new LinkedHashMap<>();
        for (String k : List.of("conv_in.weight", "conv_in.bias", "norm_out.weight", "norm_out.bias", "conv_out.weight")) {
            target.put(k, manager.zeros(new Shape(2, 2)));
        }
        Map<String, NDArray> source = new LinkedHashMap<>();
        source.put("conv_in.weight", manager.ones(new Shape(2, 2)));
        source.put("conv_out.weight", manager.ones(new Shape(3, 2)));
        source.put("extra.weight", manager.ones(new Shape(1)));
        source.put("extra.bias", manager.ones(new Shape(1)));
        MdmException e = assertThrows(MdmException.class, () -> StateDicts.loadStrict(source, target));
        String m = e.getMessage();
        assertTrue(m.contains("3 missing, 2 unexpected, 1 with a different shape"), m);
        assertTrue(m.contains("\n  conv_in.bias\n  norm_out.{bias, weight}"), m);
        assertTrue(m.contains("Unexpected (in the file, not in the model), 2:\n  extra.{bias, weight}"), m);
        assertTrue(m.contains("conv_out.weight: (3, 2) in the file, (2, 2) in the model"), m);
        assertEquals(0f, target.get("conv_in.weight").sum().getFloat(), "nothing copied");
    }

    @Test
    void longListsAreSummarisedWithCounts() {
        Map<String, NDArray> target = new LinkedHashMap<>();
        for (int i = 0; i < 40; i++) {
            target.put("down_blocks." + i + ".conv.weight", manager.zeros(new Shape(1)));
            target.put("up_blocks." + i + ".conv.weight", manager.zeros(new Shape(1)));
        }
        MdmException e = assertThrows(MdmException.class, () -> StateDicts.loadStrict(Map.of(), target));
        String m = e.getMessage();
        assertTrue(m.contains("Missing (the model has them, the file does not), 80: by first name part "
                + "down_blocks 40, up_blocks 40;"), m);
        assertTrue(m.contains("… 55 more line(s)"), m);
        assertTrue(m.contains("\n  down_blocks.0.conv.weight\n  down_blocks.1.conv.weight\n  down_blocks.10.conv.weight"), m);
    }

    @Test
    void prefixesMapBetweenModels() {
        // a 16² model's weights go under inner_unet. of a bigger model; the outer level is left alone
        Map<String, NDArray> small = new LinkedHashMap<>();
        small.put("conv_in.weight", manager.create(new float[] {1f, 2f}));
        small.put("conv_in.bias", manager.create(new float[] {3f}));
        Map<String, NDArray> big = new LinkedHashMap<>();
        big.put("conv_in.weight", manager.zeros(new Shape(2)));
        big.put("inner_unet.conv_in.weight", manager.zeros(new Shape(2)));
        big.put("inner_unet.conv_in.bias", manager.zeros(new Shape(1)));
        StateDicts.loadStrict(small, StateDicts.withPrefix(big, "inner_unet."));
        assertArrayEquals(new float[] {1f, 2f}, big.get("inner_unet.conv_in.weight").toFloatArray());
        assertArrayEquals(new float[] {0f, 0f}, big.get("conv_in.weight").toFloatArray());

        // the same through a key mapping on the source side, into the matching part of the model
        Map<String, NDArray> fresh = new LinkedHashMap<>(big);
        fresh.remove("conv_in.weight");
        fresh.values().forEach(a -> a.set(new float[(int) a.size()]));
        StateDicts.loadStrict(small, fresh, KeyMapping.addPrefix("inner_unet."));
        assertArrayEquals(new float[] {3f}, fresh.get("inner_unet.conv_in.bias").toFloatArray());

        // DataParallel's module. prefix
        Map<String, NDArray> wrapped = StateDicts.rename(small, KeyMapping.addPrefix("module."));
        assertEquals(List.of("module.conv_in.weight", "module.conv_in.bias"), new ArrayList<>(wrapped.keySet()));
        Map<String, NDArray> plain = zerosLike(small, "");
        MdmException e = assertThrows(MdmException.class, () -> StateDicts.loadStrict(wrapped, plain));
        assertTrue(e.getMessage().contains("Hint: KeyMapping.stripPrefix(\"module.\") maps 2 of the 2"), e.getMessage());
        StateDicts.loadStrict(wrapped, plain, KeyMapping.stripPrefix("module."));
        assertArrayEquals(new float[] {1f, 2f}, plain.get("conv_in.weight").toFloatArray());

        KeyMapping chain = KeyMapping.stripPrefix("module.").then(KeyMapping.replacePrefix("conv_in.", "stem."));
        assertEquals("stem.weight", chain.apply("module.conv_in.weight"));
        assertEquals("other.bias", chain.apply("other.bias"));
    }

    @Test
    void collidingRenamesAreAnError() {
        Map<String, NDArray> source = new LinkedHashMap<>();
        source.put("module.w", manager.ones(new Shape(1)));
        source.put("w", manager.ones(new Shape(1)));
        MdmException e = assertThrows(MdmException.class,
                () -> StateDicts.rename(source, KeyMapping.stripPrefix("module.")));
        assertTrue(e.getMessage().contains("maps both 'module.w' and 'w' to 'w'"), e.getMessage());
    }
}
