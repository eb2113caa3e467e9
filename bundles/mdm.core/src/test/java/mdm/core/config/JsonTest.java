package mdm.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import mdm.api.MdmException;
import org.junit.jupiter.api.Test;

class JsonTest {
    record Options(int steps, double lr, String name) {
    }

    @Test
    void bindsYamlAndJson() {
        assertEquals(new Options(3, 0.5, "x"), Json.bind(Json.parse("steps: 3\nlr: 0.5\nname: x"), Options.class, "opts"));
        assertEquals(new Options(3, 0.5, "x"), Json.bind(Json.parse("{\"steps\":3,\"lr\":0.5,\"name\":\"x\"}"), Options.class, "opts"));
    }

    @Test
    void unknownKeyNamesTheNearest() {
        MdmException e = assertThrows(MdmException.class,
                () -> Json.bind(Json.parse("step: 3"), Options.class, "optimizer"));
        assertTrue(e.getMessage().contains("unknown key 'step' in optimizer: did you mean 'steps'?"), e.getMessage());
    }

    @Test
    void wrongTypeNamesKeyAndType() {
        MdmException e = assertThrows(MdmException.class,
                () -> Json.bind(Json.parse("steps: many"), Options.class, "optimizer"));
        assertTrue(e.getMessage().contains("optimizer.steps") && e.getMessage().contains("an integer"), e.getMessage());
    }
}
