package mdm.baseline.cascade.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import mdm.api.MdmException;
import mdm.api.diffusion.NoiseSource;
import mdm.api.model.CascadeStage;
import mdm.api.model.CascadedBackbone;
import mdm.api.model.Conditioning;
import mdm.core.config.Json;
import mdm.core.random.HostRandom;
import mdm.core.runtime.EngineRuntime;
import mdm.core.tensor.AreaDownsample;
import org.junit.jupiter.api.Test;
import mdm.core.fixtures.EngineExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The cascade's parts: bilinear resizing, the noise augmentation on recorded draws, keys, shapes and bad input. */
class CascadeStagesTest {
    static final String UNET = "{resolution_channels: [16, 16], num_resnets_per_resolution: [1, 1], attention_levels: [],"
            + " num_attention_layers: [0, 0], temporal_dim: 32, skip_mid_blocks: true, conditioning_feature_dim: 8,"
            + " resnet_config: {num_groups_norm: 8}}";
    static EngineRuntime runtime;

    @RegisterExtension
    static final EngineExtension ENGINE = new EngineExtension(r -> runtime = r);

    static String cascade(String srExtras) {
        return "{stage: 1, base_resolution: 8, base: " + UNET + ", super_resolution: [{resolution: 16, model: " + UNET
                + srExtras + "}]}";
    }

    /** PyTorch's interpolate(x, scale_factor=2, mode="bilinear", align_corners=False) of [[0, 1], [2, 3]], worked by hand. */
    @Test
    void bilinearMatchesPyTorchsHalfPixelConvention() {
        try (NDManager m = runtime.newManager()) {
            NDArray x = m.create(new float[] {0, 1, 2, 3}, new Shape(1, 1, 2, 2));
            float[] expected = {
                0f, .25f, .75f, 1f,
                .5f, .75f, 1.25f, 1.5f,
                1.5f, 1.75f, 2.25f, 2.5f,
                2f, 2.25f, 2.75f, 3f};
            assertArrayEquals(expected, Bilinear.upsample(x, 2).toFloatArray(), 1e-6f);
            // constant images stay constant at any factor
            NDArray c = m.full(new Shape(2, 3, 4, 4), 0.3f);
            NDArray up = Bilinear.upsample(c, 4);
            assertEquals(new Shape(2, 3, 16, 16), up.getShape());
            assertEquals(0.3f, up.max().getFloat(), 1e-6f);
            assertEquals(0.3f, up.min().getFloat(), 1e-6f);
        }
    }

    /**
     * A residual stage diffuses x − up(down(x)) and turns a sample back into an image by adding the
     * stage below's output resized up: the round trip gives x back; an image stage leaves both alone.
     */
    @Test
    void aResidualStageDiffusesWhatBilinearMisses() {
        CascadeComponent factory = new CascadeComponent();
        try (NDManager m = runtime.newManager();
             CascadedBackbone residual = (CascadedBackbone) factory.create(
                     factory.parseConfig(Json.options(Json.parse(cascade(", residual: true")))), m, 1);
             CascadedBackbone image = (CascadedBackbone) factory.create(
                     factory.parseConfig(Json.options(Json.parse(cascade("")))), m, 1)) {
            NDArray x = new HostRandom(4).normal(new Shape(2, 3, 16, 16), m).tanh();
            NDArray low = AreaDownsample.apply(x, 2);
            NDArray r = residual.diffusionData(x);
            NDArray expected = x.sub(Bilinear.upsample(low, 2));
            assertArrayEquals(expected.toFloatArray(), r.toFloatArray(), 1e-6f);
            CascadeStage stage = residual.chain().get(1);
            assertArrayEquals(x.toFloatArray(), stage.image(r, low).toFloatArray(), 1e-5f, "the round trip");
            assertEquals(x, image.diffusionData(x), "an image stage diffuses the image");
            assertEquals(r, image.chain().get(1).image(r, low), "and returns the sample as it is");
            MdmException e = assertThrows(MdmException.class, () -> stage.image(r, AreaDownsample.apply(x, 4)));
            assertTrue(e.getMessage().contains("expects 8²"), e.getMessage());
            // the residual flag and a stage's loss space are part of the configuration a checkpoint records
            var config = Json.tree(factory.parseConfig(Json.options(Json.parse(
                    cascade(", residual: true, loss_target_type: V_PREDICTION")))).toOptions());
            assertTrue(config.path("super_resolution").get(0).path("residual").asBoolean());
            assertEquals("V_PREDICTION", config.path("super_resolution").get(0).path("loss_target_type").asText());
        }
    }

    /** Training draws one level per example, uniform in [0, a_max], and corrupts exactly by it. */
    @Test
    void trainingAugmentationAppliesTheDrawnLevels() {
        CascadeComponent factory = new CascadeComponent();
        try (NDManager m = runtime.newManager();
             CascadedBackbone sr = (CascadedBackbone) factory.create(
                     factory.parseConfig(Json.options(Json.parse(cascade(", noise_aug_max: 0.4")))), m, 1)) {
            int b = 4;
            NDArray clean = new HostRandom(1).normal(new Shape(b, 3, 16, 16), m).tanh();
            double[] uniforms = {0.0, 0.25, 0.5, 0.999};
            int[] next = {0};
            NDArray eps = new HostRandom(2).normal(new Shape(b, 3, 16, 16), m);
            NoiseSource recorded = (shape, manager) -> {
                assertEquals(clean.getShape(), shape);
                return eps.duplicate();
            };
            Conditioning cond = sr.trainingConditioning(clean, tokens(m, b), recorded, () -> uniforms[next[0]++]);
            assertEquals(b, next[0], "one uniform draw per example");
            float[] levels = cond.micros().get(CascadedBackbone.AUGMENTATION_LEVEL).toFloatArray();
            NDArray up = Bilinear.upsample(AreaDownsample.apply(clean, 2), 2);
            NDArray image = cond.micros().get(CascadedBackbone.CONDITIONING_IMAGE);
            for (int i = 0; i < b; i++) {
                assertEquals(0.4 * uniforms[i], levels[i], 1e-6, "level of example " + i);
                double a = levels[i];
                NDArray expected = up.get(i).mul(m.create((float) Math.cos(Math.PI / 2 * a)))
                        .add(eps.get(i).mul(m.create((float) Math.sin(Math.PI / 2 * a))));
                assertArrayEquals(expected.toFloatArray(), image.get(i).toFloatArray(), 1e-5f, "image of example " + i);
            }
            // level 0 leaves the conditioning image exactly the bilinear up-sampling of the reduced batch
            assertArrayEquals(up.get(0).toFloatArray(), image.get(0).toFloatArray(), 1e-6f);

            // with the trainer's generator, 4,000 draws stay inside [0, a_max] and fill it evenly
            HostRandom random = new HostRandom(9);
            List<Float> all = new ArrayList<>();
            for (int k = 0; k < 1000; k++) {
                NDArray x = clean.get("0:4");
                Conditioning c = sr.trainingConditioning(x, tokens(m, 4), random, random::nextDouble);
                for (float v : c.micros().get(CascadedBackbone.AUGMENTATION_LEVEL).toFloatArray()) {
                    all.add(v);
                }
                c.micros().values().forEach(NDArray::close);
            }
            double mean = all.stream().mapToDouble(Float::doubleValue).average().orElseThrow();
            double max = all.stream().mapToDouble(Float::doubleValue).max().orElseThrow();
            double min = all.stream().mapToDouble(Float::doubleValue).min().orElseThrow();
            System.out.printf("noise augmentation, a_max 0.4: %d draws in [%.4f, %.4f], mean %.4f (uniform: 0.2)%n",
                    all.size(), min, max, mean);
            assertTrue(min >= 0 && max <= 0.4, min + " .. " + max);
            assertEquals(0.2, mean, 0.01);
            assertTrue(max > 0.39 && min < 0.01, "the whole range is drawn");
        }
    }

    /** Sampling corrupts at the fixed level and tells the network that level. */
    @Test
    void samplingUsesTheFixedLevel() {
        CascadeComponent factory = new CascadeComponent();
        try (NDManager m = runtime.newManager();
             CascadedBackbone cascade = (CascadedBackbone) factory.create(
                     factory.parseConfig(Json.options(Json.parse(cascade(", noise_aug_sample: 0.25, guidance: 3")))), m, 1)) {
            List<CascadeStage> chain = cascade.chain();
            assertEquals(2, chain.size());
            assertTrue(chain.get(0).isBase());
            assertEquals(8, chain.get(0).side());
            CascadeStage sr = chain.get(1);
            assertEquals(16, sr.side());
            assertEquals(3.0, sr.guidance());
            assertTrue(Double.isNaN(chain.get(0).guidance()), "the base uses the sampling default");
            NDArray lower = new HostRandom(4).normal(new Shape(2, 3, 8, 8), m).tanh();
            NDArray eps = new HostRandom(5).normal(new Shape(2, 3, 16, 16), m);
            NDArray image = sr.conditioningImage(lower, (shape, manager) -> eps.duplicate());
            NDArray expected = Bilinear.upsample(lower, 2).mul(m.create((float) Math.cos(Math.PI / 8)))
                    .add(eps.mul(m.create((float) Math.sin(Math.PI / 8))));
            assertArrayEquals(expected.toFloatArray(), image.toFloatArray(), 1e-5f);
            Conditioning c = sr.condition(tokens(m, 2), image);
            assertArrayEquals(new float[] {0.25f, 0.25f}, c.micros().get(CascadedBackbone.AUGMENTATION_LEVEL).toFloatArray());

            // the stage's network takes the noisy image and the conditioning image: 6 input channels, 3 out
            NDArray out = sr.network().forward(List.of(new HostRandom(6).normal(new Shape(2, 3, 16, 16), m)),
                    m.create(new int[] {10, 500}), c, false).get(0);
            assertEquals(new Shape(2, 3, 16, 16), out.getShape());
            assertEquals(new Shape(16, 6, 3, 3), cascade.parameters().get("sr.conv_in.weight").getShape());
            MdmException e = assertThrows(MdmException.class, () -> sr.network().forward(
                    List.of(m.zeros(new Shape(2, 3, 16, 16))), m.create(new int[] {1, 1}), tokens(m, 2), false));
            assertTrue(e.getMessage().contains("no conditioning image"), e.getMessage());
        }
    }

    /** Stage k holds the stages below, frozen, under lower., and its own network under sr. */
    @Test
    void keysNestTheLowerStagesFrozen() {
        CascadeComponent factory = new CascadeComponent();
        try (NDManager m = runtime.newManager()) {
            CascadeConfig whole = factory.parseConfig(Json.options(Json.parse(cascade(""))));
            Map<String, NDArray> base;
            try (var b = factory.create(whole.upTo(0), m, 1)) {
                base = Map.copyOf(b.parameters());
                assertTrue(b.frozen().isEmpty());
            }
            try (var s = factory.create(whole, m, 1)) {
                for (String k : base.keySet()) {
                    assertTrue(s.parameters().containsKey("lower." + k), k);
                    assertTrue(s.frozen().contains("lower." + k), k);
                }
                assertEquals(base.size(), s.frozen().size());
                assertTrue(s.parameters().keySet().stream().anyMatch(k -> k.startsWith("sr.")));
            }
        }
    }

    @Test
    void badCascadesNameTheFieldAndTheFix() {
        CascadeComponent f = new CascadeComponent();
        assertMessage(() -> f.parseConfig(Json.options(Json.parse(cascade(", input_resolution: 4")))), "input_resolution is 4");
        assertMessage(() -> f.parseConfig(Json.options(Json.parse(cascade("").replace("resolution: 16", "resolution: 12")))),
                "must be a multiple of");
        assertMessage(() -> f.parseConfig(Json.options(Json.parse(cascade(", noise_aug_sample: -0.1")))), "noise_aug_sample is -0.1");
        assertMessage(() -> f.parseConfig(Json.options(Json.parse(cascade(", guidance: -1")))), "guidance must be at least 0");
        assertMessage(() -> f.parseConfig(Json.options(Json.parse(cascade("").replace("base_resolution: 8,", "")))),
                "cascade.base_resolution is missing");
        assertMessage(() -> f.parseConfig(Json.options(Json.parse(cascade("").replace("stage: 1", "stage: 2")))),
                "cascade stage 2 does not exist");
        assertMessage(() -> f.parseConfig(Json.options(Json.parse(cascade(", nosie_aug_max: 0.1")))), "did you mean 'noise_aug_max'");
        assertMessage(() -> f.parseConfig(Json.options(Json.parse(cascade("").replace("base_resolution: 8", "base_resolution: 9")))),
                "divisible by 2");
    }

    private static void assertMessage(Runnable r, String part) {
        MdmException e = assertThrows(MdmException.class, r::run);
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }

    private static Conditioning tokens(NDManager m, int b) {
        return new Conditioning(m.zeros(new Shape(b, 1, 8), DataType.FLOAT32), m.ones(new Shape(b, 1)), null);
    }
}
