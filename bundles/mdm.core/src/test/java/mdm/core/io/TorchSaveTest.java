package mdm.core.io;

import static mdm.core.io.IoFixtures.assertSameBits;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import mdm.api.MdmException;
import mdm.core.fixtures.EngineExtension;
import mdm.core.runtime.EngineRuntime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The torch.save writer read back by our own reader (PyTorch's reading of the same files is checked by
 * {@code testdata/tools/ml_mdm_export.py check}, see the README's "Training on a cluster").
 */
class TorchSaveTest {
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

    @Test
    void tensorsAndValuesComeBackExactly() throws Exception {
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        tensors.put("conv.weight", manager.randomNormal(new Shape(4, 3, 3, 3)));
        tensors.put("a.f64", manager.randomNormal(new Shape(2, 2)).toType(DataType.FLOAT64, false));
        tensors.put("times", manager.create(new long[] {5, 400, 999, Long.MAX_VALUE}));
        tensors.put("i32", manager.create(new int[] {Integer.MIN_VALUE, 7}, new Shape(2, 1)));
        tensors.put("bool", manager.create(new boolean[] {true, false}));
        tensors.put("scalar", manager.create(2.5f));
        tensors.put("empty", manager.zeros(new Shape(0, 3)));
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("batch_num", 1234567L);
        values.put("big", 1L << 40);
        values.put("negative", -3);
        values.put("loss", 0.125);
        values.put("name", "ünïcode");
        values.put("flag", true);
        values.put("none", null);
        Path file = dir.resolve("ckpt.pth");
        TorchSave.write(file, tensors, values);

        assertSameBits(tensors, TorchZip.read(file, manager));
        MlMdmCheckpoint back = TorchZip.readMlMdmCheckpoint(file, manager);
        assertSameBits(tensors, back.stateDict());
        assertTrue(back.skippedGlobals().isEmpty(), back.skippedGlobals().toString());
        Map<String, Object> expected = new LinkedHashMap<>(values);
        expected.remove("none"); // the reader keeps numbers, strings and booleans
        assertEquals(expected.keySet(), back.scalars().keySet());
        assertEquals(1234567L, ((Number) back.scalars().get("batch_num")).longValue());
        assertEquals(1L << 40, ((Number) back.scalars().get("big")).longValue());
        assertEquals(-3L, ((Number) back.scalars().get("negative")).longValue());
        assertEquals(0.125, back.scalars().get("loss"));
        assertEquals("ünïcode", back.scalars().get("name"));
        assertEquals(true, back.scalars().get("flag"));
    }

    @Test
    void recordsAreStoredAlignedAndTheSameContentGivesTheSameFile() throws Exception {
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        for (int i = 0; i < 5; i++) {
            tensors.put("w" + i, manager.randomNormal(new Shape(3 + i, 7)));
        }
        Path a = dir.resolve("a.pth");
        Path b = dir.resolve("b.pth");
        TorchSave.write(a, tensors, Map.of("batch_num", 3));
        TorchSave.write(b, tensors, Map.of("batch_num", 3));
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b), "no time stamps or other varying bytes");
        List<String> names = new ArrayList<>();
        try (ZipFile zip = new ZipFile(a.toFile()); RandomAccessFile raw = new RandomAccessFile(a.toFile(), "r")) {
            for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements();) {
                ZipEntry entry = e.nextElement();
                names.add(entry.getName());
                assertEquals(ZipEntry.STORED, entry.getMethod(), entry.getName());
                if (entry.getName().startsWith("archive/data/")) {
                    long start = dataStart(raw, entry, zip);
                    assertEquals(0, start % 64, entry.getName() + " starts at " + start);
                }
            }
        }
        assertEquals(List.of("archive/data.pkl", "archive/data/0", "archive/data/1", "archive/data/2",
                "archive/data/3", "archive/data/4", "archive/version"), names);
    }

    /** Where an entry's data begins: after its local header, found by scanning for the header of that name. */
    private static long dataStart(RandomAccessFile raw, ZipEntry entry, ZipFile zip) throws Exception {
        byte[] all = new byte[(int) raw.length()];
        raw.seek(0);
        raw.readFully(all);
        byte[] name = entry.getName().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        for (int i = 0; i + 30 + name.length < all.length; i++) {
            if (all[i] == 'P' && all[i + 1] == 'K' && all[i + 2] == 3 && all[i + 3] == 4) {
                int n = (all[i + 26] & 0xff) | (all[i + 27] & 0xff) << 8;
                int x = (all[i + 28] & 0xff) | (all[i + 29] & 0xff) << 8;
                if (n == name.length && java.util.Arrays.equals(java.util.Arrays.copyOfRange(all, i + 30,
                        i + 30 + n), name)) {
                    return i + 30L + n + x;
                }
            }
        }
        throw new AssertionError("no local header for " + entry.getName());
    }

    @Test
    void whatTorchCannotHoldIsRefused() {
        Map<String, NDArray> tensors = Map.of("w", manager.ones(new Shape(2)));
        MdmException clash = assertThrows(MdmException.class,
                () -> TorchSave.write(dir.resolve("x.pth"), tensors, Map.of(TorchSave.STATE_DICT, 1)));
        assertTrue(clash.getMessage().contains("'state_dict' is the tensors' entry"), clash.getMessage());
        MdmException object = assertThrows(MdmException.class,
                () -> TorchSave.write(dir.resolve("y.pth"), tensors, Map.of("args", List.of(1))));
        assertTrue(object.getMessage().contains("cannot pickle 'args'"), object.getMessage());
        assertTrue(!Files.exists(dir.resolve("y.pth")), "nothing written on a refusal");
    }
}
