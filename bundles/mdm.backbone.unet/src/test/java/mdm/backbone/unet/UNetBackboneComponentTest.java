package mdm.backbone.unet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import mdm.api.MdmException;
import mdm.api.model.BackboneConfig;
import mdm.backbone.unet.internal.UNetBackboneComponent;
import mdm.core.config.Json;
import mdm.nn.unet.MlMdmModelFile;
import mdm.nn.unet.UNetModels;
import org.junit.jupiter.api.Test;

/** The registered {@code unet} factory reads ml-mdm's released 64×64 model section. */
class UNetBackboneComponentTest {
    @Test
    void parsesTheReleased64ModelAndCountsItsParameters() {
        Path yaml = Path.of(System.getProperty("mdm.testdata"), "ml-mdm-configs", "cc12m_64x64.yaml");
        MlMdmModelFile file = MlMdmModelFile.read(yaml).withConditioningFeatureDim(2048);
        UNetBackboneComponent component = new UNetBackboneComponent();
        assertEquals(file.model(), component.name());
        BackboneConfig c = component.parseConfig(Json.options(file.unetConfig()));
        assertEquals("unet", c.backbone());
        assertEquals(461_359_107L, UNetModels.count(component.parameterShapes(c)));
        assertEquals(2048, c.conditioningFeatureDim());
    }

    @Test
    void rejectsNestedFields() {
        MdmException e = assertThrows(MdmException.class,
                () -> new UNetBackboneComponent().parseConfig(Json.parseOptions("skip_normalization: true")));
        assertTrue(e.getMessage().contains("skip_normalization"), e.getMessage());
    }
}
