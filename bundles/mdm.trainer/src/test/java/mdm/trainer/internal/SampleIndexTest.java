package mdm.trainer.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import mdm.api.data.Sample;
import org.junit.jupiter.api.Test;

class SampleIndexTest {
    private static Sample image(String caption) {
        return new Sample(new float[3], 1, 3, 1, 1, -1, caption, null);
    }

    private static Map<String, Boolean> checks(Object... kv) {
        Map<String, Boolean> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], (Boolean) kv[i + 1]);
        }
        return m;
    }

    @Test
    void oneRowPerImageWithEveryCheckTheEvaluatorMade() {
        String tsv = SampleWriter.index(
                List.of(image("a small red striped circle\tat the left"), image("a large blue plain square moving up")),
                List.of(checks("shape", true, "texture", false, "position", true),
                        checks("shape", true, "texture", true, "direction", false)),
                "level-32/", ".png");
        assertEquals("""
                file\tcondition\tshape\ttexture\tposition\tdirection
                level-32/000.png\ta small red striped circle at the left\t1\t0\t1\t
                level-32/001.png\ta large blue plain square moving up\t1\t1\t\t0
                """, tsv, "a check not made is empty; a tab in a caption cannot break the columns");
    }

    @Test
    void withoutAnEvaluatorOnlyFilesAndConditions() {
        assertEquals("file\tcondition\nlevel-16/000.gif\t\n",
                SampleWriter.index(List.of(image(null)), null, "level-16/", ".gif"));
    }
}
