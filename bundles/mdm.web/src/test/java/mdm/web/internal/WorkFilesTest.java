package mdm.web.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkFilesTest {
    @TempDir
    Path root;

    @Test
    void clientPathsStayInsideTheWorkFolder() {
        WorkFiles files = new WorkFiles(root.resolve("work"));
        assertEquals(root.resolve("work/runs/a"), files.resolve("runs/a", "path"));
        assertEquals(root.resolve("work/runs/a"), files.resolve("runs/./a/", "path"));
        for (String bad : new String[] {"../x", "runs/../../x", "/etc/passwd", "runs/a\0b", "runs\\..\\x", "", "  "}) {
            WebError e = assertThrows(WebError.class, () -> files.resolve(bad, "path"), bad);
            assertEquals(400, e.status);
        }
        assertNull(files.relative(root.resolve("elsewhere")));
        assertEquals("runs/a b/x.png", files.relative(root.resolve("work/runs/a b/x.png")));
    }

    @Test
    void onlyShownKindsOfFilesInRunsOrStudiesAreServedAndNoLinkLeadsOut() throws Exception {
        Path work = Files.createDirectories(root.resolve("work"));
        Path run = Files.createDirectories(work.resolve("runs/a"));
        Files.writeString(run.resolve("metrics.jsonl"), "{}\n");
        Files.createDirectories(run.resolve("samples"));
        Files.write(run.resolve("samples/final.png"), new byte[] {1});
        Files.write(run.resolve("model.safetensors"), new byte[] {1});
        Files.createDirectories(run.resolve(".hidden"));
        Files.write(run.resolve(".hidden/x.png"), new byte[] {1});
        Files.createDirectories(work.resolve("osgi"));
        Files.writeString(work.resolve("osgi/framework.json"), "{}");
        Files.createDirectories(work.resolve("studies/s1/plots"));
        Files.writeString(work.resolve("studies/s1/report.md"), "# s1");
        Files.writeString(work.resolve("studies/s1/plots/fid.png"), "x");
        Path secret = Files.writeString(root.resolve("secret.txt"), "secret");
        Files.createSymbolicLink(run.resolve("leak.txt"), secret);

        WorkFiles files = new WorkFiles(work);
        Predicate<Path> isRun = dir -> Files.exists(dir.resolve("metrics.jsonl"));
        assertEquals(run.resolve("samples/final.png"), files.servable("runs/a/samples/final.png", isRun));
        assertEquals(run.resolve("metrics.jsonl"), files.servable("runs/a/metrics.jsonl", isRun));
        assertEquals(work.resolve("studies/s1/report.md"), files.servable("studies/s1/report.md", isRun));
        assertEquals(work.resolve("studies/s1/plots/fid.png"), files.servable("studies/s1/plots/fid.png", isRun));
        for (String refused : new String[] {"runs/a/model.safetensors", "runs/a/.hidden/x.png", "osgi/framework.json",
                "runs/a/leak.txt", "runs/a/../../secret.txt", "../secret.txt", "runs/a", "runs/a/samples",
                "runs/a/samples/missing.png", "/etc/hostname", "studies/report.md"}) {
            WebError e = assertThrows(WebError.class, () -> files.servable(refused, isRun), refused);
            assertEquals(404, e.status, refused);
        }
    }

    @Test
    void addressesAreEncodedAndVersioned() throws Exception {
        Path work = Files.createDirectories(root.resolve("work"));
        Path f = Files.createDirectories(work.resolve("runs/a b")).resolve("x#1.png");
        Files.write(f, new byte[] {1});
        String url = new WorkFiles(work).url(f);
        assertTrue(url.startsWith("/files/runs/a%20b/x%231.png?v="), url);
        assertNull(new WorkFiles(work).url(root.resolve("outside.png")));
    }
}
