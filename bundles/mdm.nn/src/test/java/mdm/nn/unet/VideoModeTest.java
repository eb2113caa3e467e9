package mdm.nn.unet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import mdm.api.model.Conditioning;
import mdm.core.config.Json;
import mdm.core.random.HostRandom;
import mdm.core.runtime.EngineRuntime;
import mdm.core.tensor.Mosaic;
import mdm.nn.Forward;
import org.junit.jupiter.api.Test;
import mdm.core.fixtures.EngineExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Video mode (mdm-facts §2.8) with 16 frames of 8×8 as a 4×4 mosaic: the outer, temporal level
 * (three resolutions, so 2×2 tiles of 2×2 frames move into the batch) resamples and attends over
 * the tile axis; the inner level is an image UNet over the 2×2 mosaic of key frames 0, 4, 8, 12.
 */
class VideoModeTest {
    static EngineRuntime runtime;
    static final String CONFIG = """
            resolution_channels: [32, 32, 32]
            num_resnets_per_resolution: [1, 1, 1]
            attention_levels: []
            num_attention_layers: 0
            num_temporal_attention_layers: [1, 1, 0]
            temporal_mode: true
            temporal_positional_encoding: true
            conditioning_feature_dim: 16
            micro_conditioning: scale:32
            resnet_config: {num_groups_norm: 8}
            inner_config:
              resolution_channels: [32, 64]
              num_resnets_per_resolution: [1, 1]
              attention_levels: [1]
              num_attention_layers: [0, 1]
              nesting: true
              resnet_config: {num_groups_norm: 8}
            """;

    @RegisterExtension
    static final EngineExtension ENGINE = new EngineExtension(r -> runtime = r);

    /** A model with every parameter random (a fresh one outputs exactly zero). */
    static UNetBackbone randomModel(NDManager m) {
        UNetModels f = new UNetModels("nested_unet");
        UNetBackbone b = f.create(f.parseConfig(Json.parseOptions(CONFIG)), m, 3);
        HostRandom r = new HostRandom(11);
        for (Map.Entry<String, NDArray> e : b.parameters().entrySet()) {
            NDArray p = e.getValue();
            float[] v = r.normal(Math.toIntExact(p.size()));
            boolean norm = e.getKey().contains("norm") || e.getKey().contains("mlp.main.0");
            long fanIn = p.getShape().dimension() > 1 ? p.size() / p.getShape().get(0) : 16;
            for (int i = 0; i < v.length; i++) {
                v[i] = norm && e.getKey().endsWith("weight") ? 1 + 0.1f * v[i] : (float) (v[i] * 0.5 / Math.sqrt(fanIn));
            }
            p.set(v);
        }
        return b;
    }

    static List<NDArray> inputs(NDManager m, long batch, HostRandom r) {
        NDArray high = m.create(r.normal((int) (batch * 3 * 32 * 32)), new Shape(batch, 3, 32, 32));
        // the inner level sees frames 0, 4, 8, 12 as a 2×2 mosaic at full frame size
        NDArray frames = Mosaic.frames(high, 4);
        NDArray key = frames.get(new NDIndex(":, ::4"));
        return List.of(high, Mosaic.fromFrames(key, 2));
    }

    static Conditioning cond(NDManager m, long batch, HostRandom r) {
        return new Conditioning(m.create(r.normal((int) (batch * 5 * 16)), new Shape(batch, 5, 16)),
                m.ones(new Shape(batch, 5)), Map.of());
    }

    @Test
    void configIsTemporalWithTileRatio() {
        UNetBackboneConfig c = new UNetModels("nested_unet").parseConfig(Json.parseOptions(CONFIG));
        assertTrue(c.temporal());
        assertEquals(List.of(2, 1), c.levelScales());
        assertEquals(List.of(false, true), c.frameSubsampled());
        var shapes = new UNetModels("nested_unet").parameterShapes(c);
        assertEquals(new Shape(32, 32, 3), shapes.get("down_blocks.0.resample.weight"), "temporal resampler is a Conv1d");
        assertEquals(new Shape(96, 32), shapes.get("down_blocks.0.t_attn.0.attn.qkv.weight"));
        assertNotNull(shapes.get("up_blocks.2.t_attn.0.down_conv.weight"));
    }

    @Test
    void forwardAndBackwardKeepTheShapeContract() {
        try (NDManager m = runtime.newManager()) {
            UNetBackbone b = randomModel(m);
            HostRandom r = new HostRandom(1);
            List<NDArray> x = inputs(m, 2, r);
            for (NDArray p : b.parameters().values()) {
                p.setRequiresGradient(true);
            }
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                List<NDArray> out = b.forward(x, m.create(new long[] {3, 700}), cond(m, 2, r), true);
                assertEquals(new Shape(2, 3, 32, 32), out.get(0).getShape());
                assertEquals(new Shape(2, 3, 16, 16), out.get(1).getShape());
                NDArray loss = out.get(0).mul(out.get(0)).mean().add(out.get(1).mul(out.get(1)).mean());
                System.gc();
                gc.backward(loss);
            }
            for (Map.Entry<String, NDArray> e : b.parameters().entrySet()) {
                try (NDArray g = e.getValue().getGradient()) {
                    float norm = g.norm().getFloat();
                    assertTrue(Float.isFinite(norm), e.getKey());
                    if (e.getKey().contains("t_attn") || e.getKey().contains("resample")) {
                        assertTrue(norm > 0, e.getKey() + " gets no gradient");
                    }
                }
            }
            b.close();
        }
    }

    @Test
    void temporalLayersMixFramesAndSpatialLayersDoNot() {
        try (NDManager m = runtime.newManager()) {
            UNetBackbone b = randomModel(m);
            HostRandom r = new HostRandom(2);
            List<NDArray> x = inputs(m, 1, r);
            Conditioning c = cond(m, 1, r);
            NDArray t = m.create(new long[] {500});
            Map<String, NDArray> base = trace(b, x, t, c);
            // change frame 0 (top-left 8×8 of the mosaic, in tile 0); tiles 1..3 hold frames 2,3,6,7 / 8,9,12,13 / 10,11,14,15
            NDArray changed = x.get(0).duplicate();
            changed.set(new NDIndex(":, :, 0:8, 0:8"), m.create(r.normal(3 * 64), new Shape(1, 3, 8, 8)));
            Map<String, NDArray> after = trace(b, List.of(changed, x.get(1)), t, c);

            // spatial layers work per tile: the first ResNet's output in tiles 1..3 is untouched
            assertFalse(tilesEqual(base, after, "down_blocks.0.resnets.0", 0));
            for (int tile = 1; tile < 4; tile++) {
                assertTrue(tilesEqual(base, after, "down_blocks.0.resnets.0", tile), "ResNet leaked into tile " + tile);
            }
            // the temporal attention right after it mixes the tiles
            for (int tile = 1; tile < 4; tile++) {
                assertFalse(tilesEqual(base, after, "down_blocks.0.t_attn.0", tile), "no temporal mixing into tile " + tile);
            }
            // and the output frame 15 (bottom-right) depends on frame 0
            NDArray o0 = base.get("conv_out").get(new NDIndex("3"));
            NDArray o1 = after.get("conv_out").get(new NDIndex("3"));
            assertTrue(o0.sub(o1).abs().max().getFloat() > 1e-6, "frame 15's output does not depend on frame 0");
            b.close();
        }
    }

    private static Map<String, NDArray> trace(UNetBackbone b, List<NDArray> x, NDArray t, Conditioning c) {
        Map<String, NDArray> seen = new HashMap<>();
        b.forward(x, t, c, new Forward(false, seen::put));
        return seen;
    }

    private static boolean tilesEqual(Map<String, NDArray> a, Map<String, NDArray> b, String path, int tile) {
        NDArray x = a.get(path).get(new NDIndex(Integer.toString(tile)));
        NDArray y = b.get(path).get(new NDIndex(Integer.toString(tile)));
        return x.sub(y).abs().max().getFloat() == 0f;
    }
}
