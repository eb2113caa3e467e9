package mdm.web.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FieldsTest {
    private static Fields fields(String json) throws Exception {
        return new Fields((ObjectNode) Json.MAPPER.readTree(json), Set.of("n", "steps", "guidance", "labels", "ema", "sampler"));
    }

    @Test
    void valuesInRangeAreReadAndOthersRefusedWithWhatWasExpected() throws Exception {
        Fields f = fields("{\"n\": 4, \"steps\": \"8\", \"guidance\": 2.5, \"labels\": [\"red\", \" \", \"blue\"], \"ema\": false}");
        assertEquals(4L, f.whole("n", 1, 64));
        assertEquals(8L, f.whole("steps", 1, 1000));
        assertEquals(2.5, f.number("guidance", 0, 100));
        assertEquals(List.of("red", "blue"), f.texts("labels", 64, 500));
        assertEquals(false, f.bool("ema", true));
        assertNull(f.text("sampler"));
        assertTrue(fields("{}").bool("ema", true));

        assertTrue(assertThrows(WebError.class, () -> fields("{\"n\": 0}").whole("n", 1, 64)).getMessage()
                .contains("from 1 to 64, got 0"));
        assertThrows(WebError.class, () -> fields("{\"n\": 1e9}").whole("n", 1, 64));
        assertThrows(WebError.class, () -> fields("{\"n\": 2.5}").whole("n", 1, 64));
        assertThrows(WebError.class, () -> fields("{\"n\": \"many\"}").whole("n", 1, 64));
        assertThrows(WebError.class, () -> fields("{\"guidance\": \"NaN\"}").number("guidance", 0, 100));
        assertThrows(WebError.class, () -> fields("{\"guidance\": -1}").number("guidance", 0, 100));
        assertThrows(WebError.class, () -> fields("{\"ema\": \"yes\"}").bool("ema", true));
        assertThrows(WebError.class, () -> fields("{\"labels\": [1, 2]}").texts("labels", 64, 500));
        assertThrows(WebError.class, () -> fields("{\"labels\": [\"a\", \"b\"]}").texts("labels", 1, 500));
        WebError unknown = assertThrows(WebError.class, () -> fields("{\"count\": 3}"));
        assertTrue(unknown.getMessage().contains("unknown field 'count'"), unknown.getMessage());
    }
}
