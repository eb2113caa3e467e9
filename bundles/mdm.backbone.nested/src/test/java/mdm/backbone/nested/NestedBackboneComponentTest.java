package mdm.backbone.nested;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import mdm.api.MdmException;
import mdm.api.model.BackboneConfig;
import mdm.backbone.nested.internal.Nested2UNetComponent;
import mdm.backbone.nested.internal.Nested3UNetComponent;
import mdm.backbone.nested.internal.Nested4UNetComponent;
import mdm.backbone.nested.internal.NestedUNetComponent;
import mdm.core.config.Json;
import mdm.nn.unet.MlMdmModelFile;
import mdm.nn.unet.UNetBackboneConfig;
import mdm.nn.unet.UNetModels;
import org.junit.jupiter.api.Test;
import mdm.api.Options;

/** Each registered depth reads its ml-mdm model sections; the name fixes the number of levels. */
class NestedBackboneComponentTest {
    private static MlMdmModelFile released(String size) {
        Path yaml = Path.of(System.getProperty("mdm.testdata"), "ml-mdm-configs", "cc12m_" + size + ".yaml");
        return MlMdmModelFile.read(yaml).withConditioningFeatureDim(2048);
    }

    @Test
    void releasedNestedModels() {
        MlMdmModelFile f256 = released("256x256");
        NestedUNetComponent nested = new NestedUNetComponent();
        assertEquals(f256.model(), nested.name());
        BackboneConfig c256 = nested.parseConfig(Json.options(f256.unetConfig()));
        assertEquals(476_613_958L, UNetModels.count(nested.parameterShapes(c256)));
        assertEquals(List.of(4, 1), c256.levelScales());

        MlMdmModelFile f1024 = released("1024x1024");
        Nested2UNetComponent nested2 = new Nested2UNetComponent();
        assertEquals(f1024.model(), nested2.name());
        BackboneConfig c1024 = nested2.parseConfig(Json.options(f1024.unetConfig()));
        assertEquals(480_970_057L, UNetModels.count(nested2.parameterShapes(c1024)));
        assertEquals(List.of(16, 4, 1), c1024.levelScales());
    }

    @Test
    void theNameFixesTheDepth() {
        MdmException e = assertThrows(MdmException.class,
                () -> new NestedUNetComponent().parseConfig(Json.options(released("1024x1024").unetConfig())));
        assertTrue(e.getMessage().contains("nested2_unet"), e.getMessage());
        // missing inner levels take ml-mdm's defaults
        UNetBackboneConfig c3 = new Nested3UNetComponent().parseConfig(Json.parseOptions("resolution_channels: [32, 32]"));
        assertEquals(4, c3.levelCount());
        assertEquals(5, new Nested4UNetComponent().parseConfig(Options.empty()).levelCount());
    }

    @Test
    void aConfigBelongsToTheFactoryThatParsedIt() {
        BackboneConfig c = new NestedUNetComponent().parseConfig(Json.options(released("256x256").unetConfig()));
        MdmException e = assertThrows(MdmException.class, () -> new Nested2UNetComponent().parameterShapes(c));
        assertTrue(e.getMessage().contains("nested_unet"), e.getMessage());
    }
}
