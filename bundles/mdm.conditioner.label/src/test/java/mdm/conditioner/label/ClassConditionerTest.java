package mdm.conditioner.label;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import mdm.api.MdmException;
import mdm.api.conditioning.Conditioner;
import mdm.api.data.DatasetInfo;
import mdm.api.data.Sample;
import mdm.api.model.Conditioning;
import mdm.conditioner.label.internal.ClassConditionerFactory;
import mdm.core.config.Json;
import mdm.core.io.StateDictFiles;
import mdm.core.runtime.EngineRuntime;
import org.junit.jupiter.api.Test;
import mdm.api.Options;
import mdm.core.fixtures.EngineExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

class ClassConditionerTest {
    private static EngineRuntime runtime;

    @RegisterExtension
    static final EngineExtension ENGINE = new EngineExtension(r -> runtime = r);
    private static final DatasetInfo SIXTEEN = data(16);

    private static DatasetInfo data(int classes) {
        return new DatasetInfo("labelled", 32, 3, 1, IntStream.range(0, classes).mapToObj(i -> "c" + i).toList(), false, 100);
    }

    private static List<Sample> labels(long... labels) {
        List<Sample> out = new ArrayList<>();
        for (long l : labels) {
            out.add(Sample.condition((int) l, null));
        }
        return out;
    }

    @Test
    void matchesTheReferenceFixtureClassCase() {
        Path inputs = Path.of(System.getProperty("mdm.testdata"), "ml-mdm", "nested32_inputs.npz");
        try (NDManager m = runtime.newManager()) {
            Map<String, NDArray> fixture = StateDictFiles.read(inputs, m);
            long[] labels = fixture.get("class.labels").toLongArray();
            NDArray expected = fixture.get("class.lm_outputs");
            ClassConditionerFactory factory = new ClassConditionerFactory(runtime);
            assertEquals(16, factory.featureDim(Options.empty(), SIXTEEN));
            try (Conditioner c = factory.create(Options.empty(), SIXTEEN, m, 0)) {
                Conditioning cond = c.encode(labels(labels), null, true, m);
                assertEquals(expected.getShape(), cond.tokens().getShape());
                assertArrayEquals(expected.toFloatArray(), cond.tokens().toFloatArray());
                assertNull(cond.mask(), "the reference's categorical branch has no mask");
            }
        }
    }

    @Test
    void zeroNullLabelIsAnAllZeroToken() {
        try (NDManager m = runtime.newManager();
             Conditioner c = new ClassConditionerFactory(runtime).create(Options.empty(), SIXTEEN, m, 0)) {
            Conditioning cond = c.encode(labels(3, 5), new boolean[] {true, false}, true, m);
            float[] t = cond.tokens().toFloatArray();
            for (int i = 0; i < 16; i++) {
                assertEquals(0f, t[i]);
                assertEquals(i == 5 ? 1f : 0f, t[16 + i]);
            }
            NDArray u = c.unconditional(3, m).tokens();
            assertEquals(new Shape(3, 1, 16), u.getShape());
            assertEquals(0f, u.abs().sum().getFloat());
        }
    }

    @Test
    void extraNullLabelIsOneMoreColumn() {
        ClassConditionerFactory factory = new ClassConditionerFactory(runtime);
        var options = Json.parse("null_label: extra");
        assertEquals(17, factory.featureDim(Json.options(options), SIXTEEN));
        try (NDManager m = runtime.newManager(); Conditioner c = factory.create(Json.options(options), SIXTEEN, m, 0)) {
            float[] u = c.unconditional(1, m).tokens().toFloatArray();
            assertEquals(17, u.length);
            assertEquals(1f, u[16]);
            float[] dropped = c.encode(labels(2), new boolean[] {true}, true, m).tokens().toFloatArray();
            assertArrayEquals(u, dropped);
        }
    }

    @Test
    void badLabelsAndOptionsAreExplained() {
        ClassConditionerFactory factory = new ClassConditionerFactory(runtime);
        try (NDManager m = runtime.newManager(); Conditioner c = factory.create(Options.empty(), data(10), m, 0)) {
            MdmException range = assertThrows(MdmException.class, () -> c.encode(labels(10), null, true, m));
            assertTrue(range.getMessage().contains("label 10") && range.getMessage().contains("10 classes"), range.getMessage());
            MdmException none = assertThrows(MdmException.class, () -> c.encode(labels(-1), null, true, m));
            assertTrue(none.getMessage().contains("no class label"), none.getMessage());
        }
        MdmException narrow = assertThrows(MdmException.class,
                () -> factory.featureDim(Json.parseOptions("{width: 12, null_label: extra}"), data(12)));
        assertTrue(narrow.getMessage().contains("at least 13"), narrow.getMessage());
        MdmException mode = assertThrows(MdmException.class,
                () -> factory.featureDim(Json.parseOptions("null_label: learned"), data(12)));
        assertTrue(mode.getMessage().contains("'zero'"), mode.getMessage());
        MdmException unlabelled = assertThrows(MdmException.class,
                () -> factory.featureDim(Options.empty(), new DatasetInfo("captions", 64, 3, 1, List.of(), true, -1)));
        assertTrue(unlabelled.getMessage().contains("learned-text"), unlabelled.getMessage());
        assertEquals(32, factory.featureDim(Json.parseOptions("width: 32"), data(10)));
    }
}
