package mdm.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import mdm.api.MdmException;
import mdm.api.train.Job;
import mdm.api.train.JobState;
import mdm.api.train.TrainRequest;
import mdm.core.runtime.EngineRuntime;
import mdm.trainer.internal.TrainingService;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import mdm.core.fixtures.EngineExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Rules that used to fail at step 1 or at stage 2 are checked before a job starts, with a message. */
class PreflightTest {
    static EngineRuntime runtime;

    @RegisterExtension
    static final EngineExtension ENGINE = new EngineExtension(r -> runtime = r);
    static String tiny;

    @BeforeAll
    static void start() throws Exception {
        tiny = Files.readString(Path.of(PreflightTest.class.getResource("/tiny-nested.yaml").toURI()));
    }

    private static Path spec(Path dir, String text) throws Exception {
        return Files.writeString(dir.resolve("spec-" + Integer.toHexString(text.hashCode()) + ".yaml"), text);
    }

    private static String refused(TrainingService trainer, Path spec, boolean start) {
        return assertThrows(MdmException.class, () -> {
            if (start) {
                trainer.start(new TrainRequest(spec, null, null, false));
            } else {
                trainer.validate(spec);
            }
        }).getMessage();
    }

    @Test
    void groupNormGroupsMustDivideEveryLevel(@TempDir Path work) throws Exception {
        try (TrainingService trainer = new TrainingService(TestComponents.registry(runtime), runtime, work)) {
            // the inner network's second level has 20 channels, not a multiple of 8 groups
            String m = refused(trainer, spec(work, tiny.replace("resolution_channels: [16, 32]",
                    "resolution_channels: [16, 20]")), false);
            assertTrue(m.contains("stage 1/2 '8'") && m.contains("not divisible by num_groups_norm 8"), m);
            // mid-block attention of the outer network over 48 channels: its GroupNorm has 32 groups
            m = refused(trainer, spec(work, tiny.replace("resolution_channels: [16, 16]", "resolution_channels: [16, 48]")
                    .replace("  skip_mid_blocks: true\n", "  skip_mid_blocks: false\n")), false);
            assertTrue(m.contains("stage 2/2 '16'") && m.contains("mid_blocks") && m.contains("attention over 48 channels"), m);
            assertTrue(trainer.jobs().isEmpty());
        }
    }

    @Test
    void innerSkipMidBlocksIsHonouredInTheFirstStage(@TempDir Path work) throws Exception {
        try (TrainingService trainer = new TrainingService(TestComponents.registry(runtime), runtime, work)) {
            Path skip = spec(work, tiny.replace("    nesting: true\n", "    nesting: true\n    skip_mid_blocks: true\n"));
            trainer.validate(skip);
            Job job = trainer.start(new TrainRequest(skip, 2L, work.resolve("skip"), false));
            assertTrue(job.await(5, TimeUnit.MINUTES));
            assertEquals(JobState.COMPLETED, job.state(), job.reason().orElse(""));
            // an inner network that would build other layers alone than inside the nested model is refused up front
            String m = refused(trainer, spec(work, tiny.replace("    nesting: true\n",
                    "    nesting: true\n    skip_cond_emb: true\n")), false);
            assertTrue(m.contains("stage 2/2 '16' cannot take over the previous stage's network"), m);
        }
    }

    @Test
    void sizesThatOverflowAreRefusedWithAMessage(@TempDir Path work) throws Exception {
        try (TrainingService trainer = new TrainingService(TestComponents.registry(runtime), runtime, work)) {
            String m = refused(trainer, spec(work, tiny.replace("resolution_channels: [16, 16]",
                    "resolution_channels: [2000000000, 2000000000]").replace("num_groups_norm: 8}\n  inner",
                    "num_groups_norm: 1}\n  inner")), false);
            assertTrue(m.contains("overflow"), m);
        }
    }

    @Test
    void aBatchThatCannotFitIsRefusedWithTheFigures(@TempDir Path work) throws Exception {
        try (TrainingService trainer = new TrainingService(TestComponents.registry(runtime), runtime, work)) {
            for (String batch : new String[] {"1000000000", "1e9", "2147483647"}) {
                String m = refused(trainer, spec(work, tiny.replace("batch_size: 4", "batch_size: " + batch)), true);
                assertTrue(m.contains("stage 1/2 '8' cannot fit") && m.contains("parameters") && m.contains("activations")
                        && m.contains("batch of") && m.contains("Lower the batch size"), m);
            }
            assertTrue(trainer.jobs().isEmpty(), "no job was started");
        }
    }
}
