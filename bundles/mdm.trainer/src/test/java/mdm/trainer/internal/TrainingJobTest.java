package mdm.trainer.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import mdm.api.train.ExperimentSpec;
import mdm.api.train.JobState;
import mdm.trainer.internal.spec.SpecReader;
import org.junit.jupiter.api.Test;

class TrainingJobTest {
    @Test
    void outOfMemoryEndsTheJobWithAMessage() throws Exception {
        ExperimentSpec spec = SpecReader.read(Path.of(TrainingJobTest.class.getResource("/tiny-nested.yaml").toURI()));
        TrainingJob job = new TrainingJob("tiny-1", spec, Path.of("runs/tiny"), 6);
        job.run(() -> {
            throw new OutOfMemoryError("Java heap space");
        });
        assertEquals(JobState.FAILED, job.state());
        String why = job.reason().orElseThrow();
        assertTrue(why.startsWith("out of memory (Java heap space) at step 0: lower training.batch_size (now 4)"), why);
    }

    @Test
    void theEnginesOutOfMemoryIsNamedToo() throws Exception {
        ExperimentSpec spec = SpecReader.read(Path.of(TrainingJobTest.class.getResource("/tiny-nested.yaml").toURI()));
        TrainingJob job = new TrainingJob("tiny-2", spec, Path.of("runs/tiny"), 6);
        job.run(() -> {
            throw new ai.djl.engine.EngineException("[enforce fail at alloc_cpu.cpp:117] data. DefaultCPUAllocator: "
                    + "not enough memory: you tried to allocate 4000000000000 bytes.\nException raised from ...");
        });
        assertEquals(JobState.FAILED, job.state());
        String why = job.reason().orElseThrow();
        assertTrue(why.startsWith("out of memory ([enforce fail at alloc_cpu.cpp:117] data. DefaultCPUAllocator: not "
                + "enough memory: you tried to allocate 4000000000000 bytes.) at step 0: lower training.batch_size"), why);
    }

    /** A failure nobody expected (a bug) goes to the log with its stack trace; bad input only to the job's state. */
    @Test
    void anUnexpectedFailureIsLoggedWithItsCauseButBadInputIsNot() throws Exception {
        ExperimentSpec spec = SpecReader.read(Path.of(TrainingJobTest.class.getResource("/tiny-nested.yaml").toURI()));
        java.util.List<String> logged = new java.util.ArrayList<>();
        ErrorLog log = (message, cause) -> logged.add(message + " / " + cause);
        TrainingJob bug = new TrainingJob("tiny-3", spec, Path.of("runs/tiny"), 6, log);
        bug.run(() -> {
            throw new IllegalStateException("index 7 out of bounds");
        });
        TrainingJob input = new TrainingJob("tiny-4", spec, Path.of("runs/tiny"), 6, log);
        input.run(() -> {
            throw new mdm.api.MdmException("no such dataset 'shapez'");
        });
        assertEquals(java.util.List.of("job tiny-3 failed / java.lang.IllegalStateException: index 7 out of bounds"), logged);
        assertEquals("index 7 out of bounds", bug.reason().orElseThrow());
        assertEquals(JobState.FAILED, input.state());
    }
}
