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
    void yamlKeepsTypesForYaml11Readers() {
        var tree = Json.empty().put("big", 1e7).put("small", 1e-4).put("half", 0.5).put("steps", 1000)
                .put("ratio", "4:1").put("flag", true).put("text", "null");
        tree.putNull("none");
        String yaml = Json.yaml(tree);
        // PyYAML reads 1.0E7 (no exponent sign) as a string, 4:1 unquoted as 241, null unquoted as None
        assertTrue(yaml.contains("big: 10000000.0\n"), yaml);
        assertTrue(yaml.contains("small: 0.00010\n"), yaml);
        assertTrue(yaml.contains("half: 0.5\n"), yaml);
        assertTrue(yaml.contains("steps: 1000\n"), yaml);
        assertTrue(yaml.contains("ratio: \"4:1\"\n"), yaml);
        assertTrue(yaml.contains("text: \"null\"\n"), yaml);
        assertTrue(yaml.contains("none: null\n"), yaml);
        var back = Json.parse(yaml);
        assertEquals(1e7, back.path("big").asDouble());
        assertEquals(1e-4, back.path("small").asDouble());
        assertEquals(1000, back.path("steps").asInt());
        assertEquals("4:1", back.path("ratio").asText());
        assertTrue(back.path("none").isNull());
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

    record Sizes(Integer batch, long steps, Long every) {
    }

    @Test
    void aliasesStandForTheAnchorsValue() {
        var tree = Json.parse("""
                name: &nm shapes-run
                output: *nm
                base: &base {lr: 0.001, steps: 10}
                stage: *base
                list: [&one 1, *one]
                override:
                  <<: *base
                  steps: 20
                """);
        assertEquals("shapes-run", tree.path("output").asText());
        assertEquals(tree.path("base"), tree.path("stage"));
        assertEquals(1, tree.path("list").get(1).asInt());
        assertEquals(20, tree.path("override").path("steps").asInt(), "keys of the mapping win over merged ones");
        assertEquals(0.001, tree.path("override").path("lr").asDouble());
        // a copy: changing one does not change the other
        ((com.fasterxml.jackson.databind.node.ObjectNode) tree.path("stage")).put("lr", 1);
        assertEquals(0.001, tree.path("base").path("lr").asDouble());
    }

    @Test
    void anAliasBombIsRefused() {
        StringBuilder y = new StringBuilder("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        char prev = 'a';
        for (char c = 'b'; c <= 'j'; c++) {
            y.append(c).append(": &").append(c).append(" [");
            for (int i = 0; i < 10; i++) {
                y.append(i == 0 ? "" : ", ").append('*').append(prev);
            }
            y.append("]\n");
            prev = c;
        }
        long t0 = System.nanoTime();
        MdmException e = assertThrows(MdmException.class, () -> Json.parse(y.toString()));
        assertTrue(e.getMessage().contains("aliases expand to more than"), e.getMessage());
        assertTrue(System.nanoTime() - t0 < 5_000_000_000L, "refused quickly");
        assertTrue(assertThrows(MdmException.class, () -> Json.parse("a: *nowhere")).getMessage()
                .contains("names no anchor"));
    }

    @Test
    void integersMustBeWhole() {
        MdmException e = assertThrows(MdmException.class,
                () -> Json.bind(Json.parse("batch: 8.7\nsteps: 1"), Sizes.class, "training"));
        assertTrue(e.getMessage().contains("training.batch") && e.getMessage().contains("8.7"), e.getMessage());
        assertThrows(MdmException.class, () -> Json.bind(Json.parse("batch: 1\nsteps: 2.5"), Sizes.class, "training"));
        assertThrows(MdmException.class, () -> Json.bind(Json.parse("batch: 1\nsteps: 1\nevery: 0.5"), Sizes.class, "t"));
        assertThrows(MdmException.class, () -> Json.bind(Json.parse("batch: 3.0e10\nsteps: 1"), Sizes.class, "t"),
                "beyond an int");
        // whole numbers written as floats keep their value
        assertEquals(new Sizes(8, 1000000000L, 3L), Json.bind(Json.parse("batch: 8.0\nsteps: 1.0e9\nevery: 3"),
                Sizes.class, "training"));
        assertEquals(new Sizes(null, 5L, null), Json.bind(Json.parse("steps: 5"), Sizes.class, "training"));
    }

    @Test
    void notANumberAndInfinityNameTheLineAndKey() {
        MdmException e = assertThrows(MdmException.class, () -> Json.parse("steps: 3\noptimizer:\n  lr: .nan\n"));
        assertEquals("cannot parse configuration at line 3, key 'lr': Malformed numeric value '.nan'. "
                + "Not-a-number and infinite values are not accepted: write a finite number", e.getMessage());
        e = assertThrows(MdmException.class, () -> Json.parse("guidance: -.inf"));
        assertTrue(e.getMessage().contains("key 'guidance'") && e.getMessage().contains("write a finite number"),
                e.getMessage());
        // other parse errors keep Jackson's words, with the line
        e = assertThrows(MdmException.class, () -> Json.parse("a: 1\nb: {c: 1\n"));
        assertTrue(e.getMessage().startsWith("cannot parse configuration at line "), e.getMessage());
        assertTrue(!e.getMessage().contains("finite"), e.getMessage());
    }
}
