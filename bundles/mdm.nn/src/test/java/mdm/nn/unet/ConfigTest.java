package mdm.nn.unet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import mdm.api.MdmException;
import mdm.core.config.Json;
import mdm.nn.Fixtures;
import org.junit.jupiter.api.Test;

/** Config parsing, rewrites and parameter counts, all from shapes (nothing is allocated). */
class ConfigTest {
    private static MlMdmModelFile released(String size) {
        Path file = Fixtures.testdata().resolve("ml-mdm-configs").resolve("cc12m_" + size + ".yaml");
        // ml-mdm's CLI sets the text encoder's width (flan-t5-xl: 2048)
        return MlMdmModelFile.read(file).withConditioningFeatureDim(2048);
    }

    private static Map<String, Shape> shapes(UNetBackboneConfig c) {
        return new UNetModels(c.backbone()).parameterShapes(c);
    }

    @Test
    void releasedConfigsHaveTheReferenceParameterCounts() {
        Object[][] cases = {
                {"64x64", "unet", 461_359_107L, 713, List.of(1)},
                {"256x256", "nested_unet", 476_613_958L, 889, List.of(4, 1)},
                {"1024x1024", "nested2_unet", 480_970_057L, 1063, List.of(16, 4, 1)},
        };
        for (Object[] c : cases) {
            MlMdmModelFile file = released((String) c[0]);
            assertEquals(c[1], file.model());
            UNetBackboneConfig config = file.parse();
            Map<String, Shape> s = shapes(config);
            assertEquals((long) c[2], UNetModels.count(s), (String) c[0]);
            assertEquals((int) c[3], s.size(), (String) c[0] + " keys");
            assertEquals(c[4], config.levelScales(), (String) c[0] + " scales");
            assertEquals(2048, config.conditioningFeatureDim());
        }
    }

    @Test
    void groupCountsOfThe64ModelMatchTheReference() {
        Map<String, Long> groups = new LinkedHashMap<>();
        shapes(released("64x64").parse()).forEach((k, v) -> groups.merge(k.split("\\.")[0], v.size(), Long::sum));
        assertEquals(Map.of("temb_layer1", 263_168L, "temb_layer2", 1_049_600L, "cond_emb", 2_097_152L,
                "cond_layers", 1_312_768L, "conv_in", 7_168L, "norm_out", 512L, "conv_out", 6_915L,
                "down_blocks", 152_773_120L, "mid_blocks", 34_630_912L, "up_blocks", 265_021_440L), without(groups, "lm_proj"));
        assertEquals(4_196_352L, groups.get("lm_proj"));
        // norm_out/conv_out come before down_blocks, as in PyTorch's registration order
        assertEquals(List.of("temb_layer1", "temb_layer2", "cond_emb", "cond_layers", "conv_in", "norm_out", "conv_out",
                "down_blocks", "mid_blocks", "up_blocks", "lm_proj"), new ArrayList<>(groups.keySet()));
    }

    private static Map<String, Long> without(Map<String, Long> m, String key) {
        Map<String, Long> c = new LinkedHashMap<>(m);
        c.remove(key);
        return c;
    }

    @Test
    void outerOnlyCountsOfTheNestedModels() {
        long outer256 = shapes(released("256x256").parse()).entrySet().stream()
                .filter(e -> !e.getKey().startsWith("inner_unet.")).mapToLong(e -> e.getValue().size()).sum();
        assertEquals(15_254_851L, outer256);
        long outer1024 = shapes(released("1024x1024").parse()).entrySet().stream()
                .filter(e -> !e.getKey().startsWith("inner_unet.")).mapToLong(e -> e.getValue().size()).sum();
        assertEquals(4_356_099L, outer1024);
    }

    @Test
    void appendixATinyNestedUNet() {
        String yaml = """
                resolution_channels: [32, 32]
                num_resnets_per_resolution: [1, 1]
                attention_levels: []
                num_attention_layers: [0, 0]
                temporal_dim: 128
                micro_conditioning: scale:32
                conditioning_feature_dim: 48
                skip_cond_emb: true
                skip_mid_blocks: true
                inner_config:
                  resolution_channels: "32,64"
                  num_resnets_per_resolution: "1,1"
                  attention_levels: "1"
                  num_attention_layers: "0,1"
                  conditioning_feature_proj_dim: 64
                  num_lm_head_layers: 1
                  micro_conditioning: "scale:16"
                  nesting: true
                  resnet_config: {use_attention_ffn: true}
                """;
        UNetBackboneConfig c = UNetBackboneConfig.parse("nested_unet", Json.parse(yaml));
        Map<String, Shape> s = shapes(c);
        assertEquals(1_291_878L, UNetModels.count(s));
        assertEquals(277, s.size());
        assertEquals(List.of(2, 1), c.levelScales());
        assertEquals(new Shape(64, 48), s.get("inner_unet.lm_proj.weight"));
        assertEquals(new Shape(128, 64), s.get("inner_unet.cond_emb.weight"));
        List<String> keys = new ArrayList<>(s.keySet());
        assertEquals("up_blocks.1.resnets.1.conv3.bias", keys.get(keys.indexOf("inner_unet.temb_layer1.weight") - 1));
        assertEquals(List.of("in_adapter.weight", "in_adapter.bias", "out_adapter.weight", "out_adapter.bias"),
                keys.subList(keys.size() - 4, keys.size()));
    }

    @Test
    void fixtureModelsHaveTheReferenceStateDictShapesInOrder() {
        for (String model : List.of("nested32", "unet32")) {
            UNetBackboneConfig c = UNetBackboneConfig.parse(Fixtures.registryName(model), Fixtures.configAsGiven(model));
            Map<String, Shape> ours = shapes(c);
            JsonNode ref = Json.read(Fixtures.mlMdm(model + "_state_dict_shapes.json"));
            List<String> refKeys = new ArrayList<>();
            ref.fieldNames().forEachRemaining(refKeys::add);
            assertEquals(refKeys, new ArrayList<>(ours.keySet()), model + " keys and order");
            for (String k : refKeys) {
                long[] dims = new long[ref.get(k).get("shape").size()];
                for (int i = 0; i < dims.length; i++) {
                    dims[i] = ref.get(k).get("shape").get(i).asLong();
                }
                assertEquals(new Shape(dims), ours.get(k), model + " " + k);
            }
        }
    }

    /** The reference's constructor rewrites, against the fixtures' dump of the config after construction. */
    @Test
    void rewritesMatchTheReferenceConfigAfterConstruction() {
        for (String model : List.of("nested32", "unet32")) {
            UNetBackboneConfig c = UNetBackboneConfig.parse(Fixtures.registryName(model), Fixtures.configAsGiven(model));
            JsonNode after = Json.read(Fixtures.mlMdm(model + "_config.json")).get("config_after_construction");
            assertSameFields(after, Json.mapper().valueToTree(c.afterConstruction()), model);
        }
    }

    /** Every non-null field of the reference dump has the same value in ours. */
    private static void assertSameFields(JsonNode ref, JsonNode ours, String where) {
        ref.fields().forEachRemaining(e -> {
            if (e.getKey().equals("__class__") || e.getValue().isNull()) {
                return;
            }
            JsonNode mine = ours.get(e.getKey());
            if (e.getValue().isObject()) {
                assertSameFields(e.getValue(), mine, where + "." + e.getKey());
            } else if (e.getValue().isNumber() && mine != null && mine.isNumber()) {
                assertEquals(e.getValue().asDouble(), mine.asDouble(), where + "." + e.getKey());
            } else {
                assertEquals(e.getValue(), mine, where + "." + e.getKey());
            }
        });
    }

    @Test
    void unknownKeyNamesTheNearestField() {
        MdmException e = assertThrows(MdmException.class, () -> UNetBackboneConfig.parse("unet",
                Json.parse("resolution_chanels: [32, 64]")));
        assertTrue(e.getMessage().contains("did you mean 'resolution_channels'"), e.getMessage());
        e = assertThrows(MdmException.class, () -> UNetBackboneConfig.parse("nested_unet",
                Json.parse("inner_config: {resnet_config: {num_group_norm: 8}}")));
        assertTrue(e.getMessage().contains("num_groups_norm") && e.getMessage().contains("inner_config"), e.getMessage());
        e = assertThrows(MdmException.class, () -> UNetBackboneConfig.parse("unet",
                Json.parse("inner_config: {resolution_channels: [32]}")));
        assertTrue(e.getMessage().contains("nested_unet"), e.getMessage());
        e = assertThrows(MdmException.class, () -> UNetBackboneConfig.parse("nested_unet",
                Json.parse("inner_config: {inner_config: {}}")));
        assertTrue(e.getMessage().contains("nested2_unet"), e.getMessage());
    }

    @Test
    void stringFormsAndDefaults() {
        UNetConfig c = UNetBackboneConfig.parse("unet", Json.parse(
                "resolution_channels: \"64,128,256\"\nnum_resnets_per_resolution: \"2\"\nattention_levels: \"\"\n"
                        + "micro_conditioning: scale:64,watermark_score:0")).unet();
        assertEquals(List.of(64, 128, 256), c.resolutionChannels());
        assertEquals(List.of(2, 2, 2), c.numResnetsPerResolution());
        assertEquals(List.of(), c.attentionLevels());
        assertEquals(List.of(1, 1, 1), c.numAttentionLayers());
        assertEquals(256, c.effectiveTemporalDim());
        assertEquals(Map.of("scale", 64.0, "watermark_score", 0.0), c.microDefaults());
        assertFalse(c.skipMidBlocks());
        UNetConfig d = UNetBackboneConfig.parse("unet", Json.empty()).unet();
        assertEquals(List.of(128, 256, 256, 512, 1024), d.resolutionChannels());
        assertEquals(List.of(2, 3), d.attentionLevels());
        UNetConfig n = UNetBackboneConfig.parse("nested_unet", Json.parse("resolution_channels: [32, 64]\ninner_config: {}")).unet();
        assertTrue(n.skipMidBlocks() && n.skipCondEmb() && n.innerConfig().nesting());
        assertFalse(n.innerConfig().skipMidBlocks());
    }

    @Test
    void badValuesNameTheFieldAndTheFix() {
        assertMessage("num_resnets_per_resolution has 2 entries but resolution_channels has 3",
                "resolution_channels: [32, 64, 96]\nnum_resnets_per_resolution: [1, 2]");
        assertMessage("attention_levels contains -1", "resolution_channels: [32, 64]\nattention_levels: [-1]");
        assertMessage("micro_conditioning must look like", "micro_conditioning: scale");
        assertMessage("temporal_mode is true on a plain UNet level", "temporal_mode: true");
        assertMessage("unet_config.resolution_channels", "resolution_channels: [32, x]");
    }

    private static void assertMessage(String expected, String yaml) {
        MdmException e = assertThrows(MdmException.class, () -> UNetBackboneConfig.parse("unet", Json.parse(yaml)));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void temporalDimMustAgreeAcrossLevels() {
        MdmException e = assertThrows(MdmException.class, () -> UNetBackboneConfig.parse("nested_unet",
                Json.parse("resolution_channels: [32, 32]\ntemporal_dim: 256\nconditioning_feature_dim: 16\n"
                        + "inner_config: {resolution_channels: [32]}")));
        assertTrue(e.getMessage().contains("same temporal_dim"), e.getMessage());
    }

    @Test
    void toJsonRoundTrips() {
        for (String size : List.of("64x64", "256x256", "1024x1024")) {
            UNetBackboneConfig c = released(size).parse();
            UNetBackboneConfig again = UNetBackboneConfig.parse(c.backbone(), c.toJson());
            assertEquals(c, again, size);
        }
    }

    @Test
    void releasedConfigsKeepTheirQuirks() {
        UNetConfig c1024 = released("1024x1024").parse().unet();
        assertTrue(c1024.skipNormalization());
        assertFalse(c1024.innerConfig().skipNormalization(), "the 256² middle level normalises its input");
        assertEquals("8rwvbg85tt", c1024.initializeInnerWithPretrained());
        UNetConfig c256 = released("256x256").parse().unet();
        assertEquals(null, c256.initializeInnerWithPretrained(), "PyYAML's None string means none");
    }
}
