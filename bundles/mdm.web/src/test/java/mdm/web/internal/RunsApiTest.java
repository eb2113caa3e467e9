package mdm.web.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import mdm.api.runs.RunInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunsApiTest {
    @Test
    void metricsAreReadIncrementallySkippingAHalfWrittenLineAndRestartAfterACut(@TempDir Path work) throws Exception {
        Path run = Files.createDirectories(work.resolve("runs/a"));
        Path metrics = run.resolve("metrics.jsonl");
        Files.writeString(metrics, "{\"step\":1,\"loss\":0.5}\n{\"step\":2,\"loss\":0.4}\n{\"step\":3,\"lo");
        RunInfo info = new RunInfo(run, "a", List.of(), metrics, run.resolve("samples"), Instant.now());
        RunsApi api = new RunsApi(null, new WorkFiles(work));

        ObjectNode first = api.metrics(info, 0);
        assertEquals(2, first.get("records").size());
        assertEquals(2, first.get("next").asLong());
        Files.writeString(metrics, "{\"step\":1,\"loss\":0.5}\n{\"step\":2,\"loss\":0.4}\n{\"step\":3,\"loss\":0.3}\n");
        ObjectNode second = api.metrics(info, 2);
        assertEquals(1, second.get("records").size());
        assertEquals(3, second.get("records").get(0).get("step").asInt());
        assertEquals(3, second.get("next").asLong());

        Files.writeString(metrics, "{\"step\":1,\"loss\":0.5}\n"); // a resumed run cut what came after its checkpoint
        ObjectNode third = api.metrics(info, 3);
        assertTrue(third.get("reset").asBoolean());
        assertEquals(1, third.get("records").size());
    }
}
