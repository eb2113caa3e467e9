package mdm.trainer.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobIdsTest {
    @Test
    void idsContinueAcrossInstancesOfTheSameWorkFolder(@TempDir Path work) {
        assertEquals(List.of("tiny-1", "tiny-2", "other-1"),
                List.of(new JobIds(work).next("tiny"), new JobIds(work).next("tiny"), new JobIds(work).next("other")));
        // a reinstalled trainer bundle, or a restarted runtime, reads where the last one stopped
        assertEquals("tiny-3", new JobIds(work).next("tiny"));
        assertEquals("tiny-1", new JobIds(work.resolve("elsewhere")).next("tiny"));
    }

    @Test
    void concurrentWritersNeverShareAnId(@TempDir Path work) {
        Set<String> ids = ConcurrentHashMap.newKeySet();
        IntStream.range(0, 40).parallel().forEach(i -> ids.add(new JobIds(work).next("tiny")));
        assertEquals(40, ids.size());
        assertEquals("tiny-41", new JobIds(work).next("tiny"));
    }

    @Test
    void aDamagedCountStartsAgainInsteadOfFailing(@TempDir Path work) throws Exception {
        Files.createDirectories(work.resolve("jobs"));
        Files.writeString(work.resolve(JobIds.FILE), "tiny=lots\n");
        assertEquals("tiny-1", new JobIds(work).next("tiny"));
    }
}
