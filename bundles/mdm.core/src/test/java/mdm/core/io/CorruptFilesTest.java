package mdm.core.io;

import static mdm.core.io.IoFixtures.resource;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.function.BiFunction;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import mdm.api.MdmException;
import mdm.core.runtime.EngineRuntime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import mdm.core.fixtures.EngineExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Truncated and corrupt zip-based files give errors that name the file and the entry. */
class CorruptFilesTest {
    static EngineRuntime runtime;
    NDManager manager;
    @TempDir
    Path dir;

    @RegisterExtension
    static final EngineExtension ENGINE = new EngineExtension(r -> runtime = r);

    @BeforeEach
    void open() {
        manager = runtime.newManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    /** A copy of a zip with each entry's bytes passed through {@code edit} (null drops the entry). */
    private Path rewrite(Path source, String name, BiFunction<String, byte[], byte[]> edit) throws IOException {
        Path target = dir.resolve(name);
        try (ZipFile in = new ZipFile(source.toFile()); OutputStream os = Files.newOutputStream(target);
                ZipOutputStream out = new ZipOutputStream(os)) {
            for (Enumeration<? extends ZipEntry> e = in.entries(); e.hasMoreElements();) {
                ZipEntry entry = e.nextElement();
                byte[] bytes;
                try (InputStream is = in.getInputStream(entry)) {
                    bytes = edit.apply(entry.getName(), is.readAllBytes());
                }
                if (bytes != null) {
                    out.putNextEntry(new ZipEntry(entry.getName()));
                    out.write(bytes);
                }
            }
        }
        return target;
    }

    private void assertMessage(Path file, String... parts) {
        MdmException e = assertThrows(MdmException.class, () -> StateDictFiles.read(file, manager));
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "expected '" + part + "' in: " + e.getMessage());
        }
    }

    @Test
    void truncatedArchiveIsNotAReadableZip() throws IOException {
        byte[] whole = Files.readAllBytes(resource("tiny_weights_only.pt"));
        Path cut = Files.write(dir.resolve("cut.pt"), Arrays.copyOf(whole, whole.length / 2));
        assertMessage(cut, "cut.pt", "not a readable zip archive (truncated or corrupt file?)");
    }

    @Test
    void shortStorageNamesItsEntry() throws IOException {
        Path file = rewrite(resource("tiny_weights_only.pt"), "short.pt",
                (name, bytes) -> name.endsWith("/data/1") ? Arrays.copyOf(bytes, bytes.length - 4) : bytes);
        assertMessage(file, "entry 'tiny_weights_only/data/1'", "truncated or corrupt");
    }

    @Test
    void missingStorageNamesItsEntry() throws IOException {
        Path file = rewrite(resource("tiny_weights_only.pt"), "missing.pt",
                (name, bytes) -> name.endsWith("/data/0") ? null : bytes);
        assertMessage(file, "storage entry 'tiny_weights_only/data/0' is missing");
    }

    @Test
    void cutPickleIsCorrupt() throws IOException {
        Path file = rewrite(resource("tiny_weights_only.pt"), "cutpickle.pt",
                (name, bytes) -> name.endsWith("data.pkl") ? Arrays.copyOf(bytes, bytes.length / 2) : bytes);
        assertMessage(file, "entry 'tiny_weights_only/data.pkl'", "corrupt");
    }

    @Test
    void hugeLengthPrefixIsCorruptNotAnAllocation() throws IOException {
        // BINUNICODE claiming 2 GB
        byte[] pickle = {(byte) 0x80, 2, 'X', (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x7f, 'a', '.'};
        Path file = rewrite(resource("tiny_weights_only.pt"), "huge.pt",
                (name, bytes) -> name.endsWith("data.pkl") ? pickle : bytes);
        assertMessage(file, "data.pkl", "runs past the end of the pickle");
    }

    @Test
    void storageTooSmallForItsViewIsCorrupt() throws IOException {
        // shrink the declared storage and its bytes together: the transposed view then reaches past the end
        Path file = rewrite(resource("tiny_weights_only.pt"), "small.pt",
                (name, bytes) -> name.endsWith("/data/0") ? Arrays.copyOf(bytes, 8) : bytes);
        assertMessage(file, "tiny_weights_only/data/0");
    }

    @Test
    void truncatedNpyEntryIsNamed() throws IOException {
        Path file = rewrite(resource("tiny.npz"), "cut.npz",
                (name, bytes) -> name.equals("i8.npy") ? Arrays.copyOf(bytes, bytes.length - 3) : bytes);
        assertMessage(file, "entry 'i8.npy'", "truncated");
    }

    @Test
    void zipWithoutKnownEntriesIsAnUnknownFormat() throws IOException {
        Path file = rewrite(resource("tiny.npz"), "other.zip",
                (name, bytes) -> name.equals("f4.npy") ? bytes : null);
        Path renamed = rewrite(file, "other2.zip", (name, bytes) -> bytes);
        Path notNpz = dir.resolve("readme.zip");
        try (OutputStream os = Files.newOutputStream(notNpz); ZipOutputStream out = new ZipOutputStream(os)) {
            out.putNextEntry(new ZipEntry("README.txt"));
            out.write("hello".getBytes());
        }
        assertMessage(notNpz, "neither .npy entries");
        assertTrue(StateDictFiles.read(renamed, manager).containsKey("f4"));
    }
}
