package mdm.nn.unet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.Map;
import mdm.api.model.Conditioning;
import mdm.core.config.Json;
import mdm.core.fixtures.EngineExtension;
import mdm.core.random.HostRandom;
import mdm.core.runtime.EngineRuntime;
import mdm.nn.RandomWeights;
import mdm.nn.SpatialPositionEncoding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code spatial_positional_encoding} (our extension): a UNet is blind to where it is away from its
 * borders, which left video mode's key-frame mosaic unable to place a moving shape by frame; with the
 * encoding every pixel of the grid, and the same place in different tiles, is told apart, and a fresh
 * encoding changes nothing until it is trained.
 */
class SpatialPositionEncodingTest {
    static EngineRuntime runtime;
    static final String CONFIG = """
            resolution_channels: [16, 16]
            num_resnets_per_resolution: [1, 1]
            attention_levels: []
            num_attention_layers: [0, 0]
            temporal_dim: 64
            skip_mid_blocks: true
            resnet_config: {num_groups_norm: 8}
            """;
    static final String WITH = CONFIG + "spatial_positional_encoding: true\n";

    @RegisterExtension
    static final EngineExtension ENGINE = new EngineExtension(r -> runtime = r);

    @Test
    void theFeaturesTellEveryPixelOfATwoByTwoMosaicApart() {
        int side = 32;
        float[] f = SpatialPositionEncoding.features(side, side);
        int plane = side * side;
        double closest = Double.MAX_VALUE;
        for (int a = 0; a < plane; a++) {
            for (int b = a + 1; b < plane; b++) {
                double d = 0;
                for (int c = 0; c < SpatialPositionEncoding.FEATURES; c++) {
                    double diff = f[c * plane + a] - f[c * plane + b];
                    d += diff * diff;
                }
                closest = Math.min(closest, d);
            }
        }
        assertTrue(closest > 1e-3, "two pixels share a position feature vector (squared distance " + closest + ")");
    }

    @Test
    void theConfigurationKeepsTheFieldAndAnUnsetOneStaysAbsent() {
        UNetBackboneConfig with = new UNetModels("unet").parseConfig(Json.parseOptions(WITH));
        UNetBackboneConfig without = new UNetModels("unet").parseConfig(Json.parseOptions(CONFIG));
        assertTrue(with.unet().hasSpatialPositionalEncoding());
        assertNull(without.unet().spatialPositionalEncoding(), "absent stays absent (an ml-mdm model section)");
        Map<String, Shape> shapes = new UNetModels("unet").parameterShapes(with);
        assertEquals(new Shape(16, SpatialPositionEncoding.FEATURES, 1, 1), shapes.get("spatial_pos_emb.weight"));
        assertEquals(null, new UNetModels("unet").parameterShapes(without).get("spatial_pos_emb.weight"));
    }

    @Test
    void aFreshEncodingChangesNothing() {
        try (NDManager m = runtime.newManager()) {
            UNetBackbone plain = randomModel(m, CONFIG, 3);
            UNetBackbone encoded = model(m, WITH);
            for (Map.Entry<String, NDArray> e : plain.parameters().entrySet()) {
                encoded.parameters().get(e.getKey()).set(e.getValue().toFloatArray());
            }
            HostRandom r = new HostRandom(4);
            NDArray x = m.create(r.normal(2 * 3 * 32 * 32), new Shape(2, 3, 32, 32));
            NDArray t = m.create(new long[] {100, 800});
            NDArray a = plain.forward(List.of(x), t, noText(m), false).get(0);
            NDArray b = encoded.forward(List.of(x), t, noText(m), false).get(0);
            assertEquals(0f, a.sub(b).abs().max().getFloat(), "a zero projection must add nothing");
            plain.close();
            encoded.close();
        }
    }

    @Test
    void awayFromTheBordersOnlyTheEncodedUNetKnowsWhereItIs() {
        try (NDManager m = runtime.newManager()) {
            // a uniform input: without the encoding two pixels whose receptive fields stay inside the
            // image see exactly the same thing and give the same output
            assertTrue(interiorSpread(m, CONFIG) < 1e-5f, "a plain UNet is translation-invariant inside");
            assertTrue(interiorSpread(m, WITH) > 1e-2f, "the encoded UNet must vary inside the image");
        }
    }

    /** max |output(p) − output(q)| between interior pixels of a 64² uniform input. */
    private static float interiorSpread(NDManager m, String config) {
        UNetBackbone b = randomModel(m, config, 7);
        NDArray x = m.full(new Shape(1, 3, 64, 64), 0.3f);
        NDArray out = b.forward(List.of(x), m.create(new long[] {500}), noText(m), false).get(0);
        float[] v = out.toFloatArray();
        float spread = 0;
        int[][] inside = {{28, 28}, {28, 36}, {36, 28}, {36, 36}, {32, 32}};
        for (int c = 0; c < 3; c++) {
            float ref = v[c * 4096 + inside[0][0] * 64 + inside[0][1]];
            for (int[] p : inside) {
                spread = Math.max(spread, Math.abs(v[c * 4096 + p[0] * 64 + p[1]] - ref));
            }
        }
        b.close();
        return spread;
    }

    private static UNetBackbone model(NDManager m, String config) {
        UNetModels f = new UNetModels("unet");
        return f.create(f.parseConfig(Json.parseOptions(config)), m, 3);
    }

    private static UNetBackbone randomModel(NDManager m, String config, long seed) {
        UNetBackbone b = model(m, config);
        RandomWeights.fill(b.parameters(), new HostRandom(seed), 0.5);
        return b;
    }

    private static Conditioning noText(NDManager m) {
        return new Conditioning(null, null, Map.of());
    }
}
