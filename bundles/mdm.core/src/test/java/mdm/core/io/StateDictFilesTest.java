package mdm.core.io;

import static mdm.core.io.IoFixtures.assertSameBits;
import static mdm.core.io.IoFixtures.resource;
import static mdm.core.io.IoFixtures.testdata;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import mdm.api.MdmException;
import mdm.core.fixtures.ReferenceWeights;
import mdm.core.runtime.EngineRuntime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import mdm.core.fixtures.EngineExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

class StateDictFilesTest {
    static EngineRuntime runtime;
    NDManager manager;

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

    /**
     * The reference's own torch.save file (a subset of nested32's state dict): every tensor has the
     * name, shape, type and bits of the weights the fixtures were made with, in state-dict order.
     */
    @Test
    void nested32PtMatchesTheWeightsAndTheShapeList() throws IOException {
        Map<String, NDArray> pt = StateDictFiles.read(testdata("ml-mdm/nested32_state_dict_subset.pt"), manager);
        Map<String, NDArray> weights = ReferenceWeights.read(testdata("ml-mdm/nested32_weights.json"), manager);
        JsonNode shapes = new ObjectMapper().readTree(testdata("ml-mdm/nested32_state_dict_shapes.json").toFile());
        List<String> keys = new ArrayList<>();
        shapes.fieldNames().forEachRemaining(keys::add);
        assertEquals(new ArrayList<>(weights.keySet()), keys);
        keys.retainAll(pt.keySet());
        assertEquals(keys, new ArrayList<>(pt.keySet()), "state-dict order");
        assertTrue(pt.size() > 200, "subset of " + pt.size() + " tensors");
        assertTrue(pt.values().stream().anyMatch(a -> a.getShape().dimension() == 4 && a.size() > 4096), "a large conv");
        for (Map.Entry<String, NDArray> e : pt.entrySet()) {
            JsonNode s = shapes.get(e.getKey());
            long[] dims = new long[s.get("shape").size()];
            for (int i = 0; i < dims.length; i++) {
                dims[i] = s.get("shape").get(i).asLong();
            }
            assertEquals(new Shape(dims), e.getValue().getShape(), e.getKey());
            assertEquals("float32", s.get("dtype").asText(), e.getKey());
            assertEquals(DataType.FLOAT32, e.getValue().getDataType(), e.getKey());
            assertEquals(e.getKey(), e.getValue().getName());
            assertSameBits(e.getKey(), weights.get(e.getKey()), e.getValue());
        }
    }

    /** Views, offsets, shared storages, every storage type, 0-d and empty tensors, a Parameter. */
    @Test
    void torchZipMaterialisesEveryLayoutAndType() {
        Map<String, NDArray> expected = Npz.read(resource("tiny_expected.npz"), manager);
        Map<String, NDArray> actual = StateDictFiles.read(resource("tiny_weights_only.pt"), manager);
        assertSameBits(expected, actual);
        assertEquals(DataType.FLOAT32, actual.get("bf16").getDataType());
        assertEquals(DataType.INT32, actual.get("i16").getDataType());
        assertArrayEquals(new int[] {-32768, 1, 32767}, actual.get("i16").toIntArray());
        assertEquals(new Shape(), actual.get("scalar").getShape());
        assertEquals(3.5f, actual.get("scalar").getFloat());
        assertEquals(new Shape(0, 3), actual.get("empty").getShape());
        // the transposed view is a real transpose of the base tensor
        assertArrayEquals(actual.get("f32").transpose().toFloatArray(), actual.get("f32_transposed").toFloatArray());
    }

    @Test
    void npzReadsNamesTypesAndBothByteOrders() {
        Map<String, NDArray> a = StateDictFiles.read(resource("tiny.npz"), manager);
        assertEquals(List.of("f4", "f8", "i8", "i4", "u1", "b1", "be_f4", "be_i8", "arr_0"), new ArrayList<>(a.keySet()));
        assertArrayEquals(new long[] {-(1L << 40), -1, 0, (1L << 40) + 3}, a.get("i8").toLongArray());
        assertArrayEquals(new long[] {-(1L << 40), -1, 0, (1L << 40) + 3}, a.get("be_i8").toLongArray());
        assertArrayEquals(new int[] {-7, 1, 1 << 30, 5}, a.get("i4").toIntArray());
        assertArrayEquals(new byte[] {(byte) 250, (byte) 251, (byte) 252, (byte) 253, (byte) 254, (byte) 255},
                a.get("u1").toByteArray());
        assertEquals(DataType.UINT8, a.get("u1").getDataType());
        assertArrayEquals(new boolean[] {true, false, false, true}, a.get("b1").toBooleanArray());
        assertEquals(DataType.FLOAT64, a.get("f8").getDataType());
        assertEquals(DataType.FLOAT16, a.get("arr_0").getDataType());
        assertSameBits("be_f4", a.get("f4"), a.get("be_f4"));

        Map<String, NDArray> compressed = Npz.read(resource("tiny_compressed.npz"), manager);
        assertSameBits("f4", a.get("f4"), compressed.get("f4"));
        assertSameBits("u1", a.get("u1"), compressed.get("u1"));
    }

    @Test
    void safetensorsWrittenElsewhereReadsWithMetadata() {
        Safetensors.Contents c = Safetensors.readWithMetadata(resource("tiny.safetensors"), manager);
        assertEquals(Map.of("format", "pt", "made_by", "make_io_fixtures.py"), c.metadata());
        Map<String, NDArray> expected = Npz.read(resource("tiny_safetensors_expected.npz"), manager);
        // the header is sorted by name, as the Rust writer does; we keep header order
        List<String> sorted = new ArrayList<>(expected.keySet());
        sorted.sort(null);
        assertEquals(sorted, new ArrayList<>(c.tensors().keySet()));
        expected.forEach((k, v) -> assertSameBits(k, v, c.tensors().get(k)));
        assertEquals(StateDictFiles.read(resource("tiny.safetensors"), manager).keySet(), c.tensors().keySet());
    }

    @Test
    void formatIsRecognisedByContent(@TempDir Path dir) throws IOException {
        Path renamed = dir.resolve("weights.bin");
        Files.copy(resource("tiny.safetensors"), renamed);
        assertEquals(TensorFileFormat.SAFETENSORS, TensorFileFormat.of(renamed));
        assertEquals(TensorFileFormat.TORCH_ZIP, TensorFileFormat.of(resource("tiny_weights_only.pt")));
        assertEquals(TensorFileFormat.NPZ, TensorFileFormat.of(resource("tiny.npz")));
    }

    @Test
    void missingFileNamesThePath(@TempDir Path dir) {
        Path absent = dir.resolve("nowhere.pt");
        MdmException e = assertThrows(MdmException.class, () -> StateDictFiles.read(absent, manager));
        assertTrue(e.getMessage().contains("not found") && e.getMessage().contains("nowhere.pt"), e.getMessage());
    }

    @Test
    void unknownFormatsAreNamed(@TempDir Path dir) throws IOException {
        Path text = Files.writeString(dir.resolve("notes.pt"), "just some text, not weights");
        MdmException e = assertThrows(MdmException.class, () -> StateDictFiles.read(text, manager));
        assertTrue(e.getMessage().startsWith("Unknown state-dict format") && e.getMessage().contains("Supported"),
                e.getMessage());

        Path legacy = Files.write(dir.resolve("old.pth"), new byte[] {(byte) 0x80, 2, (byte) 0x8a, 10, 0x6c, (byte) 0xfc,
                (byte) 0x9c, 0x46, (byte) 0xf9, 0x20, 0x6a, (byte) 0xa8, 0x50, 0x19, 0x2e});
        e = assertThrows(MdmException.class, () -> StateDictFiles.read(legacy, manager));
        assertTrue(e.getMessage().contains("legacy"), e.getMessage());
    }
}
