package mdm.core.io;

import static mdm.core.io.IoFixtures.assertSameBits;
import static mdm.core.io.IoFixtures.resource;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import mdm.api.MdmException;
import mdm.core.runtime.EngineRuntime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import mdm.core.fixtures.EngineExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

class SafetensorsTest {
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
    void roundTripIsExactForEveryTypeWithMetadata() {
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        tensors.put("z.f32", manager.randomNormal(new Shape(3, 5)));
        tensors.put("a.f64", manager.randomNormal(new Shape(2, 2)).toType(DataType.FLOAT64, false));
        tensors.put("m.f16", manager.randomNormal(new Shape(7)).toType(DataType.FLOAT16, false));
        tensors.put("i64", manager.create(new long[] {Long.MIN_VALUE, -1, 0, Long.MAX_VALUE}));
        tensors.put("i32", manager.create(new int[] {Integer.MIN_VALUE, 7, Integer.MAX_VALUE}, new Shape(3, 1)));
        tensors.put("i8", manager.create(new byte[] {-128, 0, 127}).toType(DataType.INT8, false));
        tensors.put("u8", manager.create(new byte[] {0, 1, (byte) 255}));
        tensors.put("bool", manager.create(new boolean[] {true, false, true}));
        tensors.put("scalar", manager.create(2.5f));
        tensors.put("empty", manager.zeros(new Shape(0, 4)));
        Map<String, String> metadata = Map.of("format", "pt", "step", "1200", "note", "ünïcode ✓");
        Path file = dir.resolve("model.safetensors");
        Safetensors.write(file, tensors, metadata);

        Safetensors.Contents back = Safetensors.readWithMetadata(file, manager);
        assertSameBits(tensors, back.tensors());
        assertEquals(metadata, back.metadata());
        assertEquals(metadata, Safetensors.readMetadata(file));
        assertEquals(TensorFileFormat.SAFETENSORS, TensorFileFormat.of(file));
    }

    @Test
    void layoutFollowsTheFormat() throws IOException {
        Path file = dir.resolve("one.safetensors");
        Safetensors.write(file, Map.of("w", manager.create(new float[] {1, 2, 3})), null);
        byte[] bytes = Files.readAllBytes(file);
        long headerLength = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, (8 + headerLength) % 8, "data section is 8-byte aligned");
        assertEquals("{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,12]}}",
                new String(bytes, 8, (int) headerLength).trim());
        assertEquals(8 + headerLength + 12, bytes.length);
        assertEquals(Map.of(), Safetensors.readMetadata(file));
    }

    @Test
    void viewsAreWrittenInLogicalOrder() {
        NDArray base = manager.arange(12f).reshape(3, 4);
        NDArray transposed = base.transpose();
        Path file = dir.resolve("t.safetensors");
        Safetensors.write(file, Map.of("t", transposed));
        assertArrayEquals(transposed.toFloatArray(), Safetensors.read(file, manager).get("t").toFloatArray());
    }

    @Test
    void badNamesAndValuesAreErrors() {
        Path file = dir.resolve("bad.safetensors");
        NDArray a = manager.ones(new Shape(1));
        assertThrows(MdmException.class, () -> Safetensors.write(file, Map.of("__metadata__", a)));
        Map<String, String> nullValue = new LinkedHashMap<>();
        nullValue.put("k", null);
        assertThrows(MdmException.class, () -> Safetensors.write(file, Map.of("a", a), nullValue));
    }

    @Test
    void truncatedFileNamesTheTensor() throws IOException {
        byte[] whole = Files.readAllBytes(resource("tiny.safetensors"));
        Path cut = Files.write(dir.resolve("cut.safetensors"), java.util.Arrays.copyOf(whole, whole.length - 10));
        MdmException e = assertThrows(MdmException.class, () -> StateDictFiles.read(cut, manager));
        assertTrue(e.getMessage().contains("truncated") && e.getMessage().contains("tensor 'h.f64'"), e.getMessage());

        Path headerOnly = Files.write(dir.resolve("head.safetensors"), java.util.Arrays.copyOf(whole, 40));
        e = assertThrows(MdmException.class, () -> StateDictFiles.read(headerOnly, manager));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void corruptHeaderIsNamed() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(8 + 16).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(16).put("{\"w\": {\"dtype\":,".getBytes());
        Path garbage = Files.write(dir.resolve("garbage.safetensors"), b.array());
        MdmException e = assertThrows(MdmException.class, () -> Safetensors.read(garbage, manager));
        assertTrue(e.getMessage().contains("corrupt safetensors header"), e.getMessage());

        ByteBuffer wrongSize = ByteBuffer.allocate(8 + 64 + 8).order(ByteOrder.LITTLE_ENDIAN);
        String header = String.format("%-64s", "{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}");
        wrongSize.putLong(64).put(header.getBytes());
        Path bad = Files.write(dir.resolve("bad.safetensors"), wrongSize.array());
        e = assertThrows(MdmException.class, () -> Safetensors.read(bad, manager));
        assertTrue(e.getMessage().contains("tensor 'w'") && e.getMessage().contains("do not fit"), e.getMessage());
    }

    /** A safetensors file of {@code header} (JSON) followed by {@code dataBytes} zero bytes. */
    private Path raw(String name, String header, int dataBytes) throws IOException {
        byte[] json = header.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + json.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(json.length).put(json);
        return Files.write(dir.resolve(name), b.array());
    }

    @Test
    void overlappingTensorsAreRefused() throws IOException {
        Path overlap = raw("overlap.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[8,24]}}", 24);
        MdmException e = assertThrows(MdmException.class, () -> Safetensors.read(overlap, manager));
        assertTrue(e.getMessage().contains(overlap.toString()) && e.getMessage().contains("'a' (bytes [0, 16))")
                && e.getMessage().contains("'b' (bytes [8, 24)) overlap"), e.getMessage());
        Path same = raw("same.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8);
        assertThrows(MdmException.class, () -> Safetensors.read(same, manager));
        // empty tensors take no bytes, so they overlap nothing
        Path empty = raw("empty.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"e\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}}", 8);
        assertEquals(2, Safetensors.read(empty, manager).size());
    }

    @Test
    void sizesThatOverflowNameFileAndTensor() throws IOException {
        // 2^32 × 2^32 elements: the byte count wraps to 0 in 64 bits, which matched the offsets [0, 0] before
        Path huge = raw("huge.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],"
                + "\"data_offsets\":[0,0]}}", 0);
        MdmException e = assertThrows(MdmException.class, () -> Safetensors.read(huge, manager));
        assertTrue(e.getMessage().contains(huge.toString()) && e.getMessage().contains("tensor 'w'")
                && e.getMessage().contains("overflows"), e.getMessage());
    }
}
