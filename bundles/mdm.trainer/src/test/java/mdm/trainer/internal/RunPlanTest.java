package mdm.trainer.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import mdm.api.MdmException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A resumed run trains to the requested total, or is refused; finished stages keep their lengths. */
class RunPlanTest {
    @Test
    void planOfAResumedRunReachesTheRequestedTotalOrIsRefused(@TempDir Path run) throws IOException {
        // --steps 20 (10 + 10) finished; resumed with --steps 40 (20 + 20)
        CheckpointState done = new CheckpointState(20, 1, "16", 10, 10, java.util.List.of(10L, 10L),
                java.util.List.of(1L, 2L), java.util.List.of(3L, 4L), new CheckpointState.DataPosition(0, 80),
                java.util.Map.of(), 20, true, null, 0, null);
        RunPlan longer = RunPlan.resumed(new long[] {20, 20}, done, run);
        assertEquals(40, longer.total());
        assertEquals(10, longer.stageSteps()[0], "the finished stage keeps its length");
        assertEquals(30, longer.stageSteps()[1]);
        assertEquals(1, longer.stage());
        assertEquals(10, longer.stageStep());
        RunPlan same = RunPlan.resumed(new long[] {10, 10}, done, run);
        assertEquals(2, same.stage(), "nothing left to do");
        MdmException shorter = assertThrows(MdmException.class, () -> RunPlan.resumed(new long[] {8, 8}, done, run));
        assertTrue(shorter.getMessage().contains("is at step 20 (stage 2 of 2, step 10 of it): a total of 16 steps "
                + "cannot continue it"), shorter.getMessage());
        // stopped in stage 1 at step 4 of 10, resumed to a total of 6 (3 + 3): stage 1 cannot shrink below 4
        CheckpointState early = new CheckpointState(4, 0, "8", 4, 10, java.util.List.of(10L, 10L),
                java.util.List.of(1L, 2L), java.util.List.of(3L, 4L), new CheckpointState.DataPosition(0, 16),
                java.util.Map.of(), 4, false, null, 0, null);
        assertThrows(MdmException.class, () -> RunPlan.resumed(new long[] {3, 3}, early, run));
        RunPlan fits = RunPlan.resumed(new long[] {4, 4}, early, run);
        assertEquals(4, fits.stageSteps()[0]);
        assertEquals(1, fits.stage(), "stage 1 is done at step 4");
    }
}
