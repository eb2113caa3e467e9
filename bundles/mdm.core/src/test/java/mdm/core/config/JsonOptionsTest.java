package mdm.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import mdm.api.MdmException;
import mdm.api.Options;
import org.junit.jupiter.api.Test;

/** Options cross the contract as parser-free values; Jackson trees and records convert both ways. */
class JsonOptionsTest {
    record Holder(String name, Options options) {
    }

    record Ddim(Double eta, @JsonProperty("timestep_spacing") String timestepSpacing) {
    }

    @Test
    void treesAndOptionsRoundTrip() {
        JsonNode tree = Json.parse("{a: 1, b: 2.5, c: [x, true, null], d: {e: 12345678901}, f: ''}");
        Options o = Json.options(tree);
        assertEquals(1L, o.get("a"));
        assertEquals(2.5, o.get("b"));
        assertEquals(java.util.Arrays.asList("x", true, null), o.get("c"));
        assertEquals(12345678901L, o.getOptions("d").get("e"));
        assertEquals(tree, Json.tree(o));
        assertEquals(Options.empty(), Json.options(null));
        MdmException notMapping = assertThrows(MdmException.class, () -> Json.options(Json.parse("[1, 2]")));
        assertTrue(notMapping.getMessage().contains("mapping"), notMapping.getMessage());
    }

    @Test
    void recordsHoldingOptionsReadAndWrite() throws Exception {
        Holder h = Json.bind(Json.parse("{name: ddim, options: {eta: 0.5}}"), Holder.class, "component");
        assertEquals(Options.of("eta", 0.5), h.options());
        assertEquals(Options.empty(), Json.bind(Json.parse("{name: ddim}"), Holder.class, "component").options());
        assertEquals(Json.parse("{\"name\": \"ddim\", \"options\": {\"eta\": 0.5}}"), Json.parse(Json.write(h)));
        MdmException bad = assertThrows(MdmException.class,
                () -> Json.bind(Json.parse("{name: ddim, options: [1]}"), Holder.class, "component"));
        assertTrue(bad.getMessage().contains("options"), bad.getMessage());
    }

    @Test
    void optionsBindWithJacksonAnnotationsInsideImplementations() {
        Ddim d = Json.bind(Json.parseOptions("{eta: 0.25, timestep_spacing: trailing}"), Ddim.class, "ddim options");
        assertEquals(0.25, d.eta());
        assertEquals("trailing", d.timestepSpacing());
        MdmException e = assertThrows(MdmException.class,
                () -> Json.bind(Options.of("timestep_spacin", "x"), Ddim.class, "ddim options"));
        assertTrue(e.getMessage().contains("did you mean 'timestep_spacing'"), e.getMessage());
        assertEquals(List.of(), Options.empty().getList("x"));
    }
}
