package mdm.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import mdm.api.MdmException;
import mdm.api.train.ExperimentSpec;
import mdm.trainer.internal.spec.SpecReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a spec says is what the trainer gets: aliases resolved, no silent rounding, no NaN guidance. */
class SpecValuesTest {
    private static String tiny() throws Exception {
        return Files.readString(Path.of(SpecValuesTest.class.getResource("/tiny-nested.yaml").toURI()));
    }

    private static ExperimentSpec read(Path dir, String text) throws Exception {
        return SpecReader.read(Files.writeString(dir.resolve("spec.yaml"), text));
    }

    @Test
    void aliasesTakeTheAnchorsValue(@TempDir Path dir) throws Exception {
        ExperimentSpec spec = read(dir, tiny().replace("name: tiny", "name: &nm tiny-alias") + "output: *nm\n");
        assertEquals("tiny-alias", spec.output());
        spec = read(dir, tiny().replace("resnet_config: {num_groups_norm: 8}\n  inner_config:",
                "resnet_config: &norm {num_groups_norm: 4}\n  inner_config:")
                .replace("    resnet_config: {num_groups_norm: 8}", "    resnet_config: *norm"));
        assertEquals(4, spec.model().getOptions("inner_config").getOptions("resnet_config").getInt("num_groups_norm", -1));
    }

    @Test
    void fractionsWhereWholeNumbersBelongAreRefused(@TempDir Path dir) throws Exception {
        String m = assertThrows(MdmException.class, () -> read(dir, tiny().replace("batch_size: 4", "batch_size: 8.7")))
                .getMessage();
        assertTrue(m.contains("training.batch_size") && m.contains("8.7"), m);
        m = assertThrows(MdmException.class, () -> read(dir, tiny().replace("levels: 1, steps: 3", "levels: 1, steps: 2.5")))
                .getMessage();
        assertTrue(m.contains("steps") && m.contains("2.5"), m);
        assertEquals(8, read(dir, tiny().replace("batch_size: 4", "batch_size: 8.0")).training().batchSize());
    }

    @Test
    void guidanceMustBeFinite(@TempDir Path dir) throws Exception {
        for (String g : new String[] {"NaN", "Infinity", "-Infinity"}) { // Jackson reads these words as doubles
            String m = assertThrows(MdmException.class, () -> read(dir, tiny().replace("guidance: 2.0", "guidance: " + g)))
                    .getMessage();
            assertTrue(m.contains("sampling.guidance must be a finite number"), m);
        }
    }

    /** The services behind mdm:sample, mdm:eval and the dashboard refuse it before reading anything. */
    @Test
    void generationAndEvaluationRefuseNonFiniteGuidance() {
        var runtime = mdm.core.runtime.EngineRuntime.standalone();
        try {
            var registry = TestComponents.registry(runtime);
            for (double g : new double[] {Double.NaN, Double.POSITIVE_INFINITY}) {
                String m = assertThrows(MdmException.class, () -> new mdm.trainer.internal.GenerationService(registry,
                        runtime).generate(new mdm.api.generate.GenerationRequest(Path.of("no-such-run"), null, null, 4,
                        null, null, g, 0, true, null, null))).getMessage();
                assertEquals("guidance must be a finite number (1 = no guidance), got " + g, m);
                m = assertThrows(MdmException.class, () -> new mdm.trainer.internal.CheckpointEvaluation(registry, runtime)
                        .evaluate(new mdm.api.eval.CheckpointEvalRequest(Path.of("no-such-run"), 10, null, null, g, 0,
                                true, java.util.List.of("fd"), null, false, 0), p -> { })).getMessage();
                assertEquals("guidance must be a finite number (1 = no guidance), got " + g, m);
            }
        } finally {
            runtime.close();
        }
    }
}
