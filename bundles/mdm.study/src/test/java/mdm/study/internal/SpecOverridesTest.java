package mdm.study.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import mdm.api.MdmException;
import mdm.core.config.Json;
import org.junit.jupiter.api.Test;

/** Dotted overrides: where they land, what they replace, and what they refuse. */
class SpecOverridesTest {
    private static ObjectNode spec() {
        return (ObjectNode) Json.parse("""
                components: {backbone: nested_unet, dataset: fashion-mnist}
                diffusion: {sampler_config: {schedule_shifted: true}, multi_res_weights: "1:1"}
                stages: [{name: "16", levels: 1, steps: 10}, {name: "32", levels: 2, steps: 10}]
                """);
    }

    @Test
    void overridesLandWhereTheirKeysPoint() {
        ObjectNode s = spec();
        SpecOverrides.apply(s, Json.parse("""
                components.backbone: unet
                components.dataset.image_size: 16
                diffusion.sampler_config.schedule_shifted: false
                diffusion.multi_res_weights: null
                stages.1.steps: 99
                optimizer.lr: 0.01
                """), "arm 'a'");
        assertEquals("unet", s.at("/components/backbone").asText());
        // a component named by a string becomes {name, options} when an option is set
        assertEquals("fashion-mnist", s.at("/components/dataset/name").asText());
        assertEquals(16, s.at("/components/dataset/image_size").asInt());
        assertEquals(false, s.at("/diffusion/sampler_config/schedule_shifted").asBoolean());
        assertTrue(s.at("/diffusion/multi_res_weights").isNull());
        assertEquals(99, s.at("/stages/1/steps").asInt());
        assertEquals(10, s.at("/stages/0/steps").asInt());
        assertEquals(0.01, s.at("/optimizer/lr").asDouble());
        // a mapping replaces the whole node
        SpecOverrides.apply(s, Json.parse("diffusion: {use_double_loss: false}"), "arm 'a'");
        assertEquals(1, s.get("diffusion").size());
    }

    @Test
    void keysThatCannotBeInASpecAreRefused() {
        expect("modle.x: 1", "arm 'a': override 'modle.x': a spec has no section 'modle'; did you mean 'model'?");
        expect("components.sheduler: x", "did you mean 'schedule'");
        expect("output: elsewhere", "set by the study");
        expect("stages.2.steps: 1", "not an index of a list of 2");
        expect("stages.x.steps: 1", "'x' is not an index");
        expect("diffusion.multi_res_weights.x: 1", "which has no keys");
        expect("[1, 2]", "must be a mapping of dotted keys");
    }

    private static void expect(String overrides, String message) {
        MdmException e = assertThrows(MdmException.class,
                () -> SpecOverrides.apply(spec(), Json.parse(overrides), "arm 'a'"));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }
}
