package mdm.nn.unet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.List;
import java.util.Map;
import mdm.api.model.Conditioning;
import mdm.core.config.Json;
import mdm.core.random.HostRandom;
import mdm.core.runtime.EngineRuntime;
import org.junit.jupiter.api.Test;
import mdm.core.fixtures.EngineExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A three-level model (nested2_unet) with a mixed batch over all levels, forward and backward. */
class NestedDepthTest {
    static EngineRuntime runtime;
    static final String CONFIG = """
            resolution_channels: [16, 16]
            num_resnets_per_resolution: [1, 1]
            attention_levels: []
            temporal_dim: 64
            conditioning_feature_dim: 8
            micro_conditioning: scale:32
            interp_conditioning: true
            resnet_config: {num_groups_norm: 8}
            inner_config:
              resolution_channels: [16, 16]
              num_resnets_per_resolution: [1, 1]
              attention_levels: []
              temporal_dim: 64
              nesting: true
              resnet_config: {num_groups_norm: 8}
              inner_config:
                resolution_channels: [32, 32]
                num_resnets_per_resolution: [1, 1]
                attention_levels: [1]
                num_attention_layers: [0, 1]
                num_lm_head_layers: 1
                conditioning_feature_proj_dim: 32
                temporal_dim: 64
                nesting: true
                micro_conditioning: scale:8
                resnet_config: {num_groups_norm: 8, use_attention_ffn: true}
            """;

    @RegisterExtension
    static final EngineExtension ENGINE = new EngineExtension(r -> runtime = r);

    @Test
    void aProjectionOnANestedLevelMustKeepTheTokenWidth() {
        mdm.api.MdmException e = org.junit.jupiter.api.Assertions.assertThrows(mdm.api.MdmException.class,
                () -> new UNetModels("nested2_unet").parseConfig(Json.parseOptions(CONFIG.replace(
                        "conditioning_feature_dim: 8\n", "conditioning_feature_dim: 8\nconditioning_feature_proj_dim: 16\n"))));
        assertTrue(e.getMessage().contains("unet_config.conditioning_feature_proj_dim is 16"), e.getMessage());
    }

    @Test
    void threeLevelsWithAMixedBatch() {
        try (NDManager m = runtime.newManager()) {
            UNetModels f = new UNetModels("nested2_unet");
            UNetBackboneConfig c = f.parseConfig(Json.parseOptions(CONFIG));
            assertEquals(List.of(4, 2, 1), c.levelScales());
            UNetBackbone b = f.create(c, m, 5);
            Map<String, NDArray> p = b.parameters();
            // the token width reaches the innermost level, which projects it
            assertEquals(new Shape(32, 8), p.get("inner_unet.inner_unet.lm_proj.weight").getShape());
            assertTrue(p.containsKey("interp_layer2.bias") && p.containsKey("inner_unet.in_adapter.weight"));
            HostRandom r = new HostRandom(4);
            for (NDArray a : p.values()) {
                float[] v = r.normal(Math.toIntExact(a.size()));
                for (int i = 0; i < v.length; i++) {
                    v[i] *= 0.1f;
                }
                a.set(v);
                a.setRequiresGradient(true);
            }
            List<NDArray> x = List.of(m.create(r.normal(3 * 32 * 32), new Shape(1, 3, 32, 32)),
                    m.create(r.normal(2 * 3 * 16 * 16), new Shape(2, 3, 16, 16)),
                    m.create(r.normal(3 * 3 * 8 * 8), new Shape(3, 3, 8, 8)));
            Conditioning cond = new Conditioning(m.create(r.normal(3 * 4 * 8), new Shape(3, 4, 8)),
                    m.create(new float[] {1, 1, 1, 1, 1, 1, 0, 0, 1, 0, 0, 0}, new Shape(3, 4)), Map.of());
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                List<NDArray> out = b.forward(x, m.create(new long[] {1, 500, 999}), cond, true);
                assertEquals(3, out.size());
                for (int i = 0; i < 3; i++) {
                    assertEquals(x.get(i).getShape(), out.get(i).getShape());
                    assertTrue(Float.isFinite(out.get(i).sum().getFloat()));
                }
                NDArray loss = out.get(0).mean().add(out.get(1).mean()).add(out.get(2).mean());
                System.gc();
                gc.backward(loss);
            }
            try (NDArray g = p.get("inner_unet.inner_unet.lm_head.0.attn.qkv.weight").getGradient()) {
                assertTrue(g.abs().sum().getFloat() > 0);
            }
            b.close();
        }
    }
}
