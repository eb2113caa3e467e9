package mdm.diffusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import mdm.api.MdmException;
import mdm.api.diffusion.PredictionType;
import mdm.api.diffusion.Thresholding;
import mdm.core.config.Json;
import org.junit.jupiter.api.Test;

class SettingsTest {
    /** The diffusion_config block of ml-mdm's configs/models/cc12m_256x256.yaml, verbatim. */
    static final String RELEASED_256 = """
            sampler_config:
              num_diffusion_steps: 1000
              reproject_signal: false
              prediction_type: V_PREDICTION
              loss_target_type: DDPM
              schedule_type: DEEPFLOYD
              rescale_signal: 1
              schedule_shifted: true
            model_output_scale: 0
            use_vdm_loss_weights: false
            use_double_loss: true
            no_use_residual: true
            """;

    @Test
    void readsTheReleasedConfig() {
        DiffusionSettings s = DiffusionSettings.parse(Json.parseOptions(RELEASED_256));
        assertEquals(1000, s.numDiffusionSteps());
        assertEquals("deepfloyd", s.schedule());
        assertEquals(PredictionType.V, s.prediction());
        assertEquals(PredictionType.EPSILON, s.lossTarget());
        assertEquals(Thresholding.CLIP, s.thresholding());
        assertTrue(s.scheduleShifted());
        assertEquals(1.0, s.scheduleShiftedPower());
        assertFalse(s.useVdmLossWeights());
        assertTrue(s.useDoubleLoss());
        assertTrue(s.noUseResidual());
        assertEquals(0.1, s.conditionDropout());
        assertTrue(s.scheduleOptions().isEmpty(), "beta_start/beta_end only go to the ddpm schedule");
    }

    @Test
    void defaultsAreMlMdms() {
        DiffusionSettings s = DiffusionSettings.defaults();
        assertEquals(32, s.numDiffusionSteps());
        assertEquals("ddpm", s.schedule());
        assertEquals(PredictionType.EPSILON, s.prediction());
        assertEquals(s.prediction(), s.lossTarget());
        assertTrue(s.useVdmLossWeights());
        assertFalse(s.noUseResidual());
        assertEquals(1e-4, s.scheduleOptions().getDouble("beta_start", Double.NaN));
        assertEquals(0.02, s.scheduleOptions().getDouble("beta_end", Double.NaN));
    }

    @Test
    void ratiosAndOurAdditions() {
        DiffusionSettings s = DiffusionSettings.parse(Json.parseOptions("""
                use_double_loss: true
                multi_res_weights: '16:4:1'
                mixed_ratio: '2:1'
                condition_dropout: 0.2
                sampler_config: {schedule_type: sigmoid, schedule_options: {tau: 1.1}, threshold_function: dynamic_if}
                """));
        assertEquals(List.of(16.0, 4.0, 1.0), s.multiResWeights());
        assertEquals(2.0 / 3.0, s.mixedRatio().get(0), 1e-15);
        assertEquals(1.0, s.mixedRatio().get(1));
        assertEquals(0.2, s.conditionDropout());
        assertEquals("sigmoid", s.schedule());
        assertEquals(1.1, s.scheduleOptions().getDouble("tau", Double.NaN));
        assertEquals(Thresholding.DYNAMIC_IF, s.thresholding());
        assertEquals(s, DiffusionSettings.parse(s.toOptions()), "toOptions round-trips");
    }

    @Test
    void errorsNameTheFieldAndTheFix() {
        MdmException e = assertThrows(MdmException.class,
                () -> DiffusionSettings.parse(Json.parseOptions("sampler_config: {num_diffusion_step: 10}")));
        assertTrue(e.getMessage().contains("did you mean 'num_diffusion_steps'"), e.getMessage());
        e = assertThrows(MdmException.class, () -> DiffusionSettings.parse(Json.parseOptions("multi_res_weights: '4:1'")));
        assertTrue(e.getMessage().contains("use_double_loss: true"), e.getMessage());
        e = assertThrows(MdmException.class, () -> DiffusionSettings.parse(Json.parseOptions("mixed_ratio: 'a:1'")));
        assertTrue(e.getMessage().contains("mixed_ratio"), e.getMessage());
        e = assertThrows(MdmException.class,
                () -> DiffusionSettings.parse(Json.parseOptions("sampler_config: {prediction_type: HA_STYLE}")));
        assertTrue(e.getMessage().contains("unknown prediction type"), e.getMessage());
        e = assertThrows(MdmException.class, () -> DiffusionSettings.parse(Json.parseOptions("condition_dropout: 1.5")));
        assertTrue(e.getMessage().contains("condition_dropout"), e.getMessage());
    }
}
