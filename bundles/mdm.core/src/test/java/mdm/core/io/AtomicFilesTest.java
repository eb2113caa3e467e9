package mdm.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import mdm.api.MdmException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A file is replaced whole or not at all; a failed write leaves the old file and no temporary. */
class AtomicFilesTest {
    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aFailedWriteKeepsTheOldFileAndLeavesNoTemporary(@TempDir Path dir) throws IOException {
        Path plot = dir.resolve("loss.png");
        AtomicFiles.write(plot, new byte[] {1, 2, 3});
        MdmException e = assertThrows(MdmException.class, () -> AtomicFiles.write(plot, out -> {
            out.write(new byte[43]); // part of the new file is out when the disk fills up
            throw new IOException("No space left on device");
        }));
        assertEquals("cannot write " + plot + ": no space left on device", e.getMessage());
        assertEquals(List.of("loss.png"), names(dir));
        assertEquals(3, Files.size(plot));
        MdmException bug = assertThrows(MdmException.class, () -> AtomicFiles.write(plot, out -> {
            throw new IllegalStateException("a bug in the encoder");
        }));
        assertEquals("cannot write " + plot + ": a bug in the encoder", bug.getMessage());
        assertEquals(List.of("loss.png"), names(dir));
    }

    @Test
    void writesCreateFoldersAndReplaceWhole(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("a/b/summary.json");
        AtomicFiles.writeString(f, "{\"x\": 1}");
        AtomicFiles.writeString(f, "{}");
        assertEquals("{}", Files.readString(f));
        assertEquals(List.of("summary.json"), names(f.getParent()));
        assertTrue(AtomicFiles.isTemporary(".loss.png.tmp-12-34"));
        assertTrue(!AtomicFiles.isTemporary(".lock") && !AtomicFiles.isTemporary("loss.png"));
    }

    @Test
    void aWriterThatNeedsAPathWritesTheTemporaryAndIsRenamedOrCleanedUpAlike(@TempDir Path dir) throws IOException {
        Path sidecar = dir.resolve("shard-0.emb.safetensors");
        AtomicFiles.writeVia(sidecar, tmp -> {
            assertTrue(AtomicFiles.isTemporary(tmp.getFileName().toString()), tmp.toString());
            Files.write(tmp, new byte[] {7, 7});
        });
        assertEquals(2, Files.size(sidecar));
        MdmException e = assertThrows(MdmException.class, () -> AtomicFiles.writeVia(sidecar, tmp -> {
            Files.write(tmp, new byte[99]);
            throw new IOException("No space left on device");
        }));
        assertEquals("cannot write " + sidecar + ": no space left on device", e.getMessage());
        assertEquals(List.of("shard-0.emb.safetensors"), names(dir));
        assertEquals(2, Files.size(sidecar));
    }
}
