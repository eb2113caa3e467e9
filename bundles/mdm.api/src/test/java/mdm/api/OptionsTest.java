package mdm.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OptionsTest {
    enum Spacing { REFERENCE, TRAILING, LEADING_EDGE }

    record Inner(int width) {
    }

    record Sampler(Double eta, String timestepSpacing, Spacing spacing, List<Integer> steps, Inner inner,
                   boolean fast, @Options.Key("s_churn") double churn, Options extra) {
        Sampler {
            eta = eta == null ? 0.0 : eta;
            if (eta < 0) {
                throw new IllegalArgumentException("eta must be >= 0, got " + eta);
            }
        }
    }

    private static Options sample() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("eta", 0.5);
        map.put("timestep_spacing", "trailing");
        map.put("spacing", "leading-edge");
        map.put("steps", List.of(1, 2L, 3.0));
        map.put("inner", Map.of("width", 8));
        map.put("fast", true);
        map.put("s_churn", 40);
        map.put("extra", Map.of("a", "b"));
        return Options.of(map);
    }

    @Test
    void bindsARecordBySnakeCaseNamesAndKeys() {
        Sampler s = sample().bind(Sampler.class, "test sampler options");
        assertEquals(0.5, s.eta());
        assertEquals("trailing", s.timestepSpacing());
        assertEquals(Spacing.LEADING_EDGE, s.spacing());
        assertEquals(List.of(1, 2, 3), s.steps());
        assertEquals(8, s.inner().width());
        assertTrue(s.fast());
        assertEquals(40.0, s.churn());
        assertEquals("b", s.extra().getString("a", null));
    }

    @Test
    void absentKeysAreNullOrZeroAndTheConstructorFillsDefaults() {
        Sampler s = Options.empty().bind(Sampler.class, "x");
        assertEquals(0.0, s.eta());
        assertNull(s.timestepSpacing());
        assertFalse(s.fast());
        assertEquals(0.0, s.churn());
    }

    @Test
    void errorsNameTheKeyAndTheFix() {
        MdmException unknown = assertThrows(MdmException.class,
                () -> Options.of("etaa", 1).bind(Sampler.class, "ddim sampler options"));
        assertTrue(unknown.getMessage().contains("unknown key 'etaa' in ddim sampler options: did you mean 'eta'?"),
                unknown.getMessage());
        MdmException type = assertThrows(MdmException.class,
                () -> Options.of("eta", "big").bind(Sampler.class, "ddim sampler options"));
        assertTrue(type.getMessage().contains("'ddim sampler options.eta': expected a number"), type.getMessage());
        MdmException whole = assertThrows(MdmException.class,
                () -> Options.of("steps", List.of(1.5)).bind(Sampler.class, "o"));
        assertTrue(whole.getMessage().contains("o.steps[0]") && whole.getMessage().contains("integer"), whole.getMessage());
        MdmException constant = assertThrows(MdmException.class,
                () -> Options.of("spacing", "middle").bind(Sampler.class, "o"));
        assertTrue(constant.getMessage().contains("[reference, trailing, leading_edge]"), constant.getMessage());
        MdmException invalid = assertThrows(MdmException.class,
                () -> Options.of("eta", -1).bind(Sampler.class, "ddim sampler options"));
        assertEquals("invalid ddim sampler options: eta must be >= 0, got -1.0", invalid.getMessage());
        MdmException getter = assertThrows(MdmException.class, () -> Options.of("n", "x").getInt("n", 1));
        assertTrue(getter.getMessage().contains("'n': expected an integer"), getter.getMessage());
        MdmException only = assertThrows(MdmException.class,
                () -> Options.of("rho", 7).requireOnly(Set.of(), "edm options"));
        assertTrue(only.getMessage().contains("takes no options"), only.getMessage());
    }

    @Test
    void valuesAreNormalisedAndImmutable() {
        Options o = Options.of("i", 3, "f", 1.5f, "list", new int[] {1, 2}, "map", Map.of("k", Spacing.TRAILING));
        assertEquals(3L, o.get("i"));
        assertEquals(1.5, o.get("f"));
        assertEquals(List.of(1L, 2L), o.get("list"));
        assertEquals("trailing", o.getOptions("map").getString("k", null));
        assertThrows(UnsupportedOperationException.class, () -> o.getList("list").add(3L));
        assertThrows(IllegalArgumentException.class, () -> Options.of("x", new Object()));
        assertEquals(3, o.getInt("i", 0));
        assertEquals(7.0, o.getDouble("missing", 7.0));
        assertEquals(Options.empty(), o.getOptions("missing"));
    }

    @Test
    void mergeWithAndWithoutMakeCopies() {
        Options base = Options.of("a", 1, "nested", Options.of("x", 1, "y", 2)); // ordered: toString keeps key order
        Options merged = base.merge(Options.of("nested", Map.of("y", 3), "b", true));
        assertEquals(Options.of("a", 1, "nested", Map.of("x", 1, "y", 3), "b", true), merged);
        assertEquals(Options.of("a", 1, "nested", Map.of("x", 1, "y", 2)), base, "the original is unchanged");
        assertEquals(Options.of("nested", Map.of("x", 1, "y", 2)), base.without("a"));
        assertEquals(2L, base.with("a", 2).get("a"));
        assertEquals("{\"a\": 1, \"nested\": {\"x\": 1, \"y\": 2}}", base.toString());
        Map<String, Object> plain = merged.toMap();
        assertTrue(plain.get("nested") instanceof Map);
    }
}
