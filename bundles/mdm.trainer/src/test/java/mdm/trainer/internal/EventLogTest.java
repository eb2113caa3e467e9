package mdm.trainer.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import mdm.api.train.Progress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventLogTest {
    private final List<String> heard = new ArrayList<>();
    private final RunControl watcher = new RunControl() {
        @Override
        public String stopRequested() {
            return "asked";
        }

        @Override
        public void progress(Progress progress) {
        }

        @Override
        public void event(String message) {
            heard.add(message);
        }
    };

    @Test
    void eventsAreAppendedAcrossRunsAndStillReachTheWatcher(@TempDir Path dir) throws Exception {
        Path run = dir.resolve("runs/x");
        new EventLog(watcher, run).event("stage 1/2 '16'");
        EventLog resumed = new EventLog(watcher, run);
        resumed.event("resumed from step-00000004");
        List<String> lines = Files.readAllLines(run.resolve(EventLog.FILE));
        assertEquals(2, lines.size());
        assertTrue(lines.get(0).matches("\\d{4}-\\d\\d-\\d\\dT\\S+Z stage 1/2 '16'"), lines.get(0));
        assertTrue(lines.get(1).endsWith(" resumed from step-00000004"), lines.get(1));
        assertEquals(List.of("stage 1/2 '16'", "resumed from step-00000004"), heard);
        assertEquals("asked", resumed.stopRequested());
    }

    @Test
    void anUnwritableLogIsReportedOnceAndTrainingGoesOn(@TempDir Path dir) throws Exception {
        Path blocker = Files.writeString(dir.resolve("file"), "not a folder");
        EventLog log = new EventLog(watcher, blocker.resolve("run"));
        log.event("a");
        log.event("b");
        assertEquals(3, heard.size(), heard.toString());
        assertTrue(heard.get(0).startsWith("cannot write "), heard.get(0));
        assertEquals(List.of("a", "b"), heard.subList(1, 3));
    }
}
