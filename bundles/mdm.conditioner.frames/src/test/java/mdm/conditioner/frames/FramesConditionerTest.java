package mdm.conditioner.frames;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import mdm.api.MdmException;
import mdm.api.conditioning.Conditioner;
import mdm.api.data.DatasetInfo;
import mdm.api.data.Sample;
import mdm.api.model.Conditioning;
import mdm.conditioner.frames.internal.FramesConditionerFactory;
import mdm.core.config.Json;
import mdm.core.runtime.EngineRuntime;
import org.junit.jupiter.api.Test;
import mdm.api.Options;
import mdm.core.fixtures.EngineExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

class FramesConditionerTest {
    private static final DatasetInfo VIDEO = new DatasetInfo("shapes-video", 16, 3, 16, List.of(), true, -1);
    private static EngineRuntime runtime;

    @RegisterExtension
    static final EngineExtension ENGINE = new EngineExtension(r -> runtime = r);

    private static Sample clip(long seed) {
        Random r = new Random(seed);
        float[] px = new float[16 * 3 * 16 * 16];
        for (int i = 0; i < px.length; i++) {
            px[i] = r.nextFloat() * 2 - 1;
        }
        return new Sample(px, 16, 3, 16, 16, -1, "a clip", "clip" + seed);
    }

    @Test
    void patchesAreCutInChannelRowColumnOrder() {
        float[] px = new float[2 * 1 * 4 * 4];
        for (int i = 0; i < px.length; i++) {
            px[i] = i;
        }
        Sample s = new Sample(px, 2, 1, 4, 4, -1, null, "s");
        // frame 1, 2×2 grid of 2×2 patches: frame 1 starts at 16
        float[] got = new FramePatches(new int[] {1}, 2, 1, 4).extract(List.of(s), null);
        assertArrayEquals(new float[] {16, 17, 20, 21, 18, 19, 22, 23, 24, 25, 28, 29, 26, 27, 30, 31}, got);
    }

    @Test
    void tokensDependOnlyOnTheChosenFrames() {
        FramesConditionerFactory factory = new FramesConditionerFactory(runtime);
        var options = Json.parse("{grid: 4, dim: 32, layers: 1, heads: 4}");
        assertEquals(32, factory.featureDim(Json.options(options), VIDEO));
        try (NDManager m = runtime.newManager(); Conditioner c = factory.create(Json.options(options), VIDEO, m, 1)) {
            Sample a = clip(1);
            float[] px = a.pixels().clone();
            px[5 * 768 + 10] += 1; // frame 5 changes
            Sample laterFrameChanged = new Sample(px, 16, 3, 16, 16, -1, null, "b");
            float[] px0 = a.pixels().clone();
            px0[10] += 1; // frame 0 changes
            Sample firstFrameChanged = new Sample(px0, 16, 3, 16, 16, -1, null, "c");
            Conditioning cond = c.encode(List.of(a, laterFrameChanged, firstFrameChanged), null, true, m);
            assertEquals(new Shape(3, 16, 32), cond.tokens().getShape());
            assertEquals(48f, cond.mask().sum().getFloat());
            float[] t = cond.tokens().toFloatArray();
            int n = 16 * 32;
            assertArrayEquals(Arrays.copyOfRange(t, 0, n), Arrays.copyOfRange(t, n, 2 * n));
            assertFalse(Arrays.equals(Arrays.copyOfRange(t, 0, n), Arrays.copyOfRange(t, 2 * n, 3 * n)));
            // for sampling, the condition may carry just the conditioning frame
            Sample given = new Sample(Arrays.copyOfRange(a.pixels(), 0, 768), 1, 3, 16, 16, -1, null, "given");
            assertArrayEquals(Arrays.copyOfRange(t, 0, n), c.encode(List.of(given), null, false, m).tokens().toFloatArray(), 1e-6f);
        }
    }

    @Test
    void droppedSamplesGetTheLearnedNullToken() {
        FramesConditionerFactory factory = new FramesConditionerFactory(runtime);
        var options = Json.parse("{frames: [0, 15], grid: 2, dim: 16, layers: 1, heads: 2}");
        try (NDManager m = runtime.newManager(); Conditioner c = factory.create(Json.options(options), VIDEO, m, 2)) {
            float[] u = c.unconditional(2, m).tokens().toFloatArray();
            assertEquals(2 * 8 * 16, u.length);
            assertArrayEquals(Arrays.copyOfRange(u, 0, 128), Arrays.copyOfRange(u, 128, 256));
            Conditioning mixed = c.encode(List.of(clip(3), clip(4)), new boolean[] {false, true}, true, m);
            float[] t = mixed.tokens().toFloatArray();
            assertArrayEquals(Arrays.copyOfRange(u, 0, 128), Arrays.copyOfRange(t, 128, 256), 1e-6f);
            assertFalse(Arrays.equals(Arrays.copyOfRange(u, 0, 128), Arrays.copyOfRange(t, 0, 128)));
        }
    }

    @Test
    void gradientsReachPatchAndNullEmbeddings() {
        FramesConditionerFactory factory = new FramesConditionerFactory(runtime);
        var options = Json.parse("{grid: 4, dim: 16, layers: 1, heads: 2}");
        try (NDManager m = runtime.newManager(); Conditioner c = factory.create(Json.options(options), VIDEO, m, 3);
             NDManager step = m.newSubManager()) {
            c.parameters().values().forEach(p -> p.setRequiresGradient(true));
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray out = c.encode(List.of(clip(5), clip(6)), new boolean[] {false, true}, true, step).tokens();
                NDArray loss = out.mul(step.randomNormal(out.getShape())).sum();
                System.gc();
                gc.backward(loss);
            }
            for (String k : List.of("patch.weight", "null_embedding.weight", "position_embedding.weight", "norm.weight")) {
                try (NDArray g = c.parameters().get(k).getGradient()) {
                    assertTrue(g.abs().sum().getFloat() > 0, k + " receives a gradient");
                    assertFalse(Float.isNaN(g.sum().getFloat()));
                }
            }
        }
    }

    @Test
    void unsuitableDataIsExplained() {
        FramesConditionerFactory factory = new FramesConditionerFactory(runtime);
        DatasetInfo images = new DatasetInfo("shapes", 64, 3, 1, List.of(), true, -1);
        MdmException single = assertThrows(MdmException.class, () -> factory.featureDim(Options.empty(), images));
        assertTrue(single.getMessage().contains("video"), single.getMessage());
        MdmException late = assertThrows(MdmException.class, () -> factory.featureDim(Json.parseOptions("frames: [16]"), VIDEO));
        assertTrue(late.getMessage().contains("0..15"), late.getMessage());
        MdmException grid = assertThrows(MdmException.class, () -> factory.featureDim(Json.parseOptions("grid: 5"), VIDEO));
        assertTrue(grid.getMessage().contains("divide"), grid.getMessage());
        try (NDManager m = runtime.newManager(); Conditioner c = factory.create(Json.parseOptions("{grid: 4, dim: 16}"), VIDEO, m, 0)) {
            MdmException none = assertThrows(MdmException.class,
                    () -> c.encode(List.of(Sample.condition(-1, "x")), null, false, m));
            assertTrue(none.getMessage().contains("no frames"), none.getMessage());
        }
    }
}
