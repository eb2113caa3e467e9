package mdm.trainer.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import mdm.api.MdmException;
import mdm.core.config.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoint folders: a write that fails for any reason leaves nothing behind and says which
 * checkpoint is intact; pruning never leaves a visible half checkpoint; leftovers are cleaned up;
 * checksums and the state record. Checkpoints here hold no tensors, so no engine is needed.
 */
class CheckpointStoreTest {

    static CheckpointState state(long step, boolean last) {
        return new CheckpointState(step, 0, "s", step, 10, List.of(10L), List.of(1L, 2L), List.of(3L, 4L),
                new CheckpointState.DataPosition(0, step * 4), Map.of("w", step), step, last, null, 0, null);
    }

    static CheckpointStore.Contents contents(long step) {
        return new CheckpointStore.Contents(Json.parse("{\"spec\": {\"name\": \"t\"}}"), state(step, false),
                Map.of(), Map.of(), Map.of(), Map.of(), Map.of());
    }

    /** A store whose tensor writes fail as a full disk (or another fault) would make them fail. */
    static final class FailingStore extends CheckpointStore {
        final Throwable failure;

        FailingStore(Path run, Throwable failure) {
            super(run);
            this.failure = failure;
        }

        @Override
        void writeTensors(Path file, Map<String, NDArray> tensors) throws IOException {
            Files.writeString(file, "half a file"); // something is on disk when it fails
            if (failure instanceof IOException io) {
                throw io;
            }
            if (failure instanceof RuntimeException r) {
                throw r;
            }
            throw (Error) failure;
        }
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aFullDiskLeavesNoTemporaryFolderAndNamesTheIntactCheckpoint(@TempDir Path run) throws IOException {
        new CheckpointStore(run).write(2, contents(2));
        MdmException e = assertThrows(MdmException.class, () -> new FailingStore(run,
                new IOException("No space left on device")).write(4, contents(4)));
        assertTrue(e.getMessage().startsWith("no space left on the device of " + run.resolve("checkpoints")),
                e.getMessage());
        assertTrue(e.getMessage().contains("while writing checkpoint step-00000004"), e.getMessage());
        assertTrue(e.getMessage().endsWith("the previous checkpoint step-00000002 is intact"), e.getMessage());
        assertEquals(List.of("step-00000002"), names(run.resolve("checkpoints")));
    }

    @Test
    void anyFailureRemovesTheTemporaryFolder(@TempDir Path run) throws IOException {
        for (Throwable failure : new Throwable[] {new IllegalStateException("a bug"),
                new java.io.UncheckedIOException(new IOException("No space left on device")),
                new OutOfMemoryError("Java heap space")}) {
            MdmException e = assertThrows(MdmException.class, () -> new FailingStore(run, failure).write(4, contents(4)));
            assertTrue(e.getMessage().endsWith("no earlier checkpoint exists"), e.getMessage());
            assertEquals(List.of(), names(run.resolve("checkpoints")), failure.toString());
        }
        StackOverflowError error = new StackOverflowError();
        assertThrows(StackOverflowError.class, () -> new FailingStore(run, error).write(4, contents(4)));
        assertEquals(List.of(), names(run.resolve("checkpoints")));
    }

    @Test
    void pruningRenamesBeforeDeletingAndLeftoversAreCleanedAtStart(@TempDir Path run) throws IOException {
        CheckpointStore store = new CheckpointStore(run);
        for (long s = 1; s <= 4; s++) {
            store.write(s, contents(s));
        }
        store.prune(2, null);
        assertEquals(List.of("step-00000003", "step-00000004"), names(run.resolve("checkpoints")));

        // what a kill -9 leaves: a half-written checkpoint, a half-deleted pruned one, a half-deleted
        // visible one of an older version, a half-written plot
        Path ck = run.resolve("checkpoints");
        Files.createDirectories(ck.resolve(".step-00000005.tmp-123"));
        Files.writeString(ck.resolve(".step-00000005.tmp-123/model.safetensors"), "half");
        Files.createDirectories(ck.resolve(".pruned-step-00000002-99"));
        Files.createDirectories(ck.resolve("step-00000001"));
        Files.writeString(ck.resolve("step-00000001/model.safetensors"), "no state");
        Files.writeString(run.resolve(".loss.png.tmp-1-2"), "43 bytes of a plot");
        Files.createDirectories(run.resolve("samples"));
        Files.writeString(run.resolve("samples/.final.png.tmp-1-3"), "half a grid");
        Files.writeString(run.resolve(".lock"), "job x (pid 1)");

        List<String> removed = store.cleanLeftovers();
        assertEquals(List.of("checkpoints/.pruned-step-00000002-99", "checkpoints/.step-00000005.tmp-123",
                "checkpoints/step-00000001", ".loss.png.tmp-1-2", "samples/.final.png.tmp-1-3"), removed);
        assertEquals(List.of("step-00000003", "step-00000004"), names(ck));
        assertTrue(Files.exists(run.resolve(".lock")), "the lock file is not a leftover");
        assertEquals(List.of(), store.cleanLeftovers());
    }

    @Test
    void stateRecordsChecksumsAndACorruptNewestCheckpointIsPassedOver(@TempDir Path run) throws IOException {
        CheckpointStore store = new CheckpointStore(run);
        store.write(2, contents(2));
        store.write(4, contents(4));
        store.write(6, contents(6));
        CheckpointState read = CheckpointState.read(run.resolve("checkpoints/step-00000006/state.json"));
        assertEquals(6, read.globalStep());
        assertEquals(List.of(10L), read.plan());
        assertEquals(Map.of("w", 6L), read.optimizerSteps());
        assertEquals(64, read.sha256().get(CheckpointStore.EXPERIMENT).length());

        assertEquals(run.resolve("checkpoints/step-00000006"), store.newestUsable().orElseThrow().folder());
        Files.writeString(run.resolve("checkpoints/step-00000006/state.json"), "{\"global_step\": 6, \"sta");
        Path experiment = run.resolve("checkpoints/step-00000004/" + CheckpointStore.EXPERIMENT);
        Files.writeString(experiment, Files.readString(experiment).replace("\"t\"", "\"u\""));
        CheckpointStore.Usable usable = store.newestUsable().orElseThrow();
        assertEquals(run.resolve("checkpoints/step-00000002"), usable.folder());
        assertEquals(2, usable.passedOver().size());
        assertTrue(usable.passedOver().get(0).startsWith("step-00000006 ("), usable.passedOver().toString());
        assertTrue(usable.passedOver().get(0).contains("state.json cannot be read"), usable.passedOver().toString());
        assertTrue(usable.passedOver().get(1).contains("experiment.json in " + run.resolve("checkpoints/step-00000004")
                + " does not match the SHA-256 recorded in its state.json"), usable.passedOver().toString());

        Files.delete(run.resolve("checkpoints/step-00000002/state.json"));
        MdmException none = assertThrows(MdmException.class, store::newestUsable);
        assertTrue(none.getMessage().startsWith("no usable checkpoint in "), none.getMessage());
    }

    @Test
    void anOlderStateWithoutPlanOrChecksumsReads(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("state.json");
        Files.writeString(f, "{\"global_step\": 30, \"stage\": 1, \"stage_name\": \"16\", \"stage_step\": 10,"
                + " \"stage_steps\": 10, \"noise_rng\": [1, 2], \"dropout_rng\": [3, 4],"
                + " \"data\": {\"epoch\": 0, \"index\": 120}, \"optimizer_steps\": {\"a\": 10}, \"ema_updates\": 30,"
                + " \"final\": true}");
        CheckpointState s = CheckpointState.read(f);
        assertNull(s.plan());
        assertNull(s.sha256());
        assertTrue(s.isFinal());
        CheckpointStore.verify(dir, s, null); // nothing to check against
        RunPlan plan = RunPlan.resumed(new long[] {20, 20}, s, dir);
        assertEquals(40, plan.total());
        assertEquals(20, plan.stageSteps()[0]);
        assertEquals(20, plan.stageSteps()[1], "stage 2 continues to the new total");
        assertEquals(1, plan.stage());
        assertEquals(10, plan.stageStep());
        assertFalse(plan.stageStep() >= plan.stageSteps()[plan.stage()]);
    }
}
