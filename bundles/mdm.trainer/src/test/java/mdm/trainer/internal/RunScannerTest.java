package mdm.trainer.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import mdm.api.runs.RunInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Run folders as training leaves them, written by hand: the scanner needs no engine. */
class RunScannerTest {
    @Test
    void findsRunsTheirCompleteCheckpointsAndNamesNewestFirst(@TempDir Path work) throws IOException {
        Path a = work.resolve("runs/a");
        checkpoint(a, 3, "8", false);
        checkpoint(a, 6, "16", true);
        Files.createDirectories(a.resolve("checkpoints/.step-00000009.tmp-1")); // an interrupted write
        Files.createDirectories(a.resolve("checkpoints/step-00000012"));        // no state.json: incomplete
        Files.writeString(a.resolve("experiment.json"), "{\"spec\": {\"name\": \"tiny\"}}");
        Path b = work.resolve("runs/group/b");
        Files.createDirectories(b);
        Files.writeString(b.resolve("metrics.jsonl"), "{\"step\": 1, \"loss\": 0.5}\n");
        Path arm = work.resolve("studies/s1/arm-mdm");
        Files.createDirectories(arm);
        Files.writeString(arm.resolve("metrics.jsonl"), "");
        Path elsewhere = work.resolve("other/c");
        Files.createDirectories(elsewhere.resolve("checkpoints"));
        Files.createDirectories(work.resolve("runs/empty/inside"));
        Files.setLastModifiedTime(b.resolve("metrics.jsonl"), FileTime.from(Instant.now().plusSeconds(60)));

        RunScanner scanner = new RunScanner(work);
        List<RunInfo> runs = scanner.runs(List.of(elsewhere));
        assertEquals(b.toAbsolutePath(), runs.get(0).folder(), "the most recently changed first");
        assertEquals(4, runs.size(), runs.toString());
        RunInfo ra = runs.stream().filter(r -> r.folder().endsWith("runs/a")).findFirst().orElseThrow();
        assertEquals("tiny", ra.experiment());
        assertEquals(List.of(3L, 6L), ra.checkpoints().stream().map(c -> c.step()).toList());
        assertEquals("16", ra.checkpoints().get(1).stage());
        assertTrue(ra.checkpoints().get(1).last());
        assertEquals("b", runs.get(0).experiment(), "without a record, the folder's name");

        assertEquals(a.toAbsolutePath(), scanner.run(a.resolve("checkpoints/step-00000003")).orElseThrow().folder());
        assertFalse(scanner.run(work.resolve("runs/empty")).isPresent());
        assertFalse(scanner.run(work.resolve("nowhere")).isPresent());
    }

    private static void checkpoint(Path run, long step, String stage, boolean last) throws IOException {
        Path c = run.resolve("checkpoints").resolve(CheckpointStore.name(step));
        Files.createDirectories(c);
        Files.writeString(c.resolve(CheckpointStore.STATE),
                "{\"global_step\": " + step + ", \"stage_name\": \"" + stage + "\", \"final\": " + last + "}");
    }
}
