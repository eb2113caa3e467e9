package mdm.core.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import mdm.api.MdmException;

/**
 * The safetensors format: an 8-byte little-endian header length, a JSON header (name → dtype, shape, byte
 * range; optional {@code __metadata__} string map), then the raw little-endian data. Read and written with
 * positional channel I/O straight into and out of native buffers.
 */
public final class Safetensors {
    /** Larger headers are corrupt lengths, not real files (the 1.9 GB ml-mdm model has a 100 KB header). */
    private static final long MAX_HEADER = 100L << 20;
    private static final String METADATA = "__metadata__";
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();

    /** Tensors in header order (a LinkedHashMap) and the {@code __metadata__} map (empty when absent). */
    public record Contents(Map<String, NDArray> tensors, Map<String, String> metadata) {
    }

    private Safetensors() {
    }

    /** All tensors of a safetensors file in header order; BF16 loads as float32 and I16 as int32 (exact). */
    public static Map<String, NDArray> read(Path file, NDManager manager) {
        return readWithMetadata(file, manager).tensors();
    }

    /** Tensors and metadata of a safetensors file. */
    public static Contents readWithMetadata(Path file, NDManager manager) {
        ZipArchives.requireReadable(file);
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        boolean complete = false;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            Header header = readHeader(file, channel);
            for (Entry e : header.entries) {
                if (e.end - e.begin > Integer.MAX_VALUE - 8) {
                    throw new MdmException(file + ": tensor '" + e.name + "' is over 2 GB, which is not supported");
                }
                ByteBuffer data = ByteBuffer.allocateDirect((int) (e.end - e.begin))
                        .order(ByteOrder.LITTLE_ENDIAN);
                readFully(channel, data, header.dataStart + e.begin, file, e.name);
                NDArray array;
                try {
                    array = TensorBytes.adopt(manager, data, e.type, e.shape);
                } catch (ArithmeticException overflow) {
                    throw TensorBytes.tooLarge(file + ": tensor '" + e.name + "'", e.shape, e.type);
                }
                array.setName(e.name);
                tensors.put(e.name, array);
            }
            complete = true;
            return new Contents(tensors, header.metadata);
        } catch (IOException e) {
            throw new MdmException("Cannot read " + file + ": " + e.getMessage(), e);
        } finally {
            if (!complete) {
                tensors.values().forEach(NDArray::close);
            }
        }
    }

    /** Only the {@code __metadata__} map, without reading any tensor data. */
    public static Map<String, String> readMetadata(Path file) {
        ZipArchives.requireReadable(file);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return readHeader(file, channel).metadata;
        } catch (IOException e) {
            throw new MdmException("Cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Where a tensor's data lies in a safetensors file, for reading parts of it without loading it.
     *
     * @param dtype  the safetensors dtype code (F32, I64, …)
     * @param offset the first data byte, counted from the start of the file
     * @param length the data's bytes
     */
    public record TensorLayout(String name, String dtype, long[] shape, long offset, long length) {
    }

    /** The tensors' layout in header order and the {@code __metadata__} map. */
    public record Layout(Map<String, TensorLayout> tensors, Map<String, String> metadata) {
    }

    /** The header of a safetensors file, checked as {@link #readWithMetadata} checks it, without reading any tensor data. */
    public static Layout layout(Path file) {
        ZipArchives.requireReadable(file);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            Header header = readHeader(file, channel);
            Map<String, TensorLayout> tensors = new LinkedHashMap<>();
            for (Entry e : header.entries) {
                tensors.put(e.name, new TensorLayout(e.name, e.type.safetensors, e.shape.getShape(),
                        header.dataStart + e.begin, e.end - e.begin));
            }
            return new Layout(Collections.unmodifiableMap(tensors), header.metadata);
        } catch (IOException e) {
            throw new MdmException("Cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Writes {@code tensors} in map order, without metadata. */
    public static void write(Path file, Map<String, NDArray> tensors) {
        write(file, tensors, Map.of());
    }

    /**
     * Writes {@code tensors} in map order with an optional {@code __metadata__} map ({@code null} or empty: none).
     * Writes {@code file} directly; write to a temporary sibling and rename it for atomicity. Reading the file
     * back gives the same names, order, shapes, types and bits (bfloat16 arrays read back as float32).
     */
    public static void write(Path file, Map<String, NDArray> tensors, Map<String, String> metadata) {
        Map<String, Object> header = new LinkedHashMap<>();
        if (metadata != null && !metadata.isEmpty()) {
            metadata.forEach((k, v) -> {
                if (k == null || v == null) {
                    throw new MdmException("Safetensors metadata must not contain null keys or values: " + metadata);
                }
            });
            header.put(METADATA, new LinkedHashMap<>(metadata));
        }
        List<ElementType> types = new ArrayList<>();
        long offset = 0;
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            String name = e.getKey();
            NDArray array = e.getValue();
            if (name == null || name.isEmpty() || name.equals(METADATA) || array == null) {
                throw new MdmException("Cannot write tensor '" + name + "' to " + file
                        + ": names must be non-empty, not '" + METADATA + "', and values non-null");
            }
            ElementType type = ElementType.forWriting(array.getDataType());
            if (type == null) {
                throw new MdmException("Cannot write tensor '" + name + "' to " + file + ": data type "
                        + array.getDataType() + " has no safetensors code");
            }
            long bytes = array.getShape().size() * type.fileBytes;
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("dtype", type.safetensors);
            info.put("shape", array.getShape().getShape());
            info.put("data_offsets", new long[] {offset, offset + bytes});
            header.put(name, info);
            types.add(type);
            offset += bytes;
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            byte[] json = JSON.writeValueAsBytes(header);
            // pad with spaces to a multiple of 8 so the data section stays aligned, as the reference writer does
            int padded = (json.length + 7) / 8 * 8;
            ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
            head.putLong(padded).put(json);
            while (head.hasRemaining()) {
                head.put((byte) ' ');
            }
            writeFully(channel, head.flip());
            Iterator<ElementType> type = types.iterator();
            for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
                writeFully(channel, hostBytes(e.getKey(), e.getValue(), type.next()));
            }
        } catch (IOException e) {
            throw new MdmException("Cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** The array's bytes in C order; a direct view of its memory where the engine allows. */
    private static ByteBuffer hostBytes(String name, NDArray array, ElementType type) {
        long expected = array.getShape().size() * type.fileBytes;
        if (expected == 0) {
            return ByteBuffer.allocate(0);
        }
        ByteBuffer bytes = array.toByteBuffer(true);
        if (bytes.remaining() != expected) {
            throw new MdmException("Tensor '" + name + "' returned " + bytes.remaining() + " bytes for shape "
                    + array.getShape() + " " + array.getDataType() + "; expected " + expected);
        }
        if (bytes.order() != ByteOrder.LITTLE_ENDIAN && type.fileBytes > 1) {
            throw new MdmException("Writing safetensors needs a little-endian host");
        }
        return bytes;
    }

    private record Entry(String name, ElementType type, Shape shape, long begin, long end) {
    }

    private record Header(List<Entry> entries, Map<String, String> metadata, long dataStart) {
    }

    private static Header readHeader(Path file, FileChannel channel) throws IOException {
        long size = channel.size();
        ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        if (size < 8) {
            throw new MdmException(file + " is truncated: " + size + " bytes, too short for a safetensors header");
        }
        readFully(channel, lengthBytes, 0, file, "header length");
        long headerLength = lengthBytes.flip().getLong();
        if (headerLength < 2 || headerLength > MAX_HEADER) {
            throw new MdmException(file + " is not a safetensors file or is corrupt: header length " + headerLength);
        }
        if (8 + headerLength > size) {
            throw new MdmException(file + " is truncated: the header needs " + (8 + headerLength)
                    + " bytes, the file has " + size);
        }
        ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
        readFully(channel, headerBytes, 8, file, "header");
        JsonNode root;
        try {
            root = JSON.readTree(new String(headerBytes.array(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new MdmException(file + ": corrupt safetensors header (not valid JSON): " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new MdmException(file + ": corrupt safetensors header (not a JSON object)");
        }
        long dataStart = 8 + headerLength;
        long dataSize = size - dataStart;
        List<Entry> entries = new ArrayList<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> field = it.next();
            if (field.getKey().equals(METADATA)) {
                if (!field.getValue().isObject()) {
                    throw new MdmException(file + ": __metadata__ is not a JSON object of strings");
                }
                field.getValue().fields().forEachRemaining(m -> {
                    if (!m.getValue().isTextual()) {
                        throw new MdmException(file + ": __metadata__ value '" + m.getKey() + "' is not a string");
                    }
                    metadata.put(m.getKey(), m.getValue().textValue());
                });
            } else {
                entries.add(entry(file, field.getKey(), field.getValue(), dataSize));
            }
        }
        checkDisjoint(file, entries);
        return new Header(entries, Collections.unmodifiableMap(metadata), dataStart);
    }

    /** Each byte of the data belongs to at most one tensor (as the reference reader demands). */
    private static void checkDisjoint(Path file, List<Entry> entries) {
        List<Entry> byStart = entries.stream().filter(e -> e.end > e.begin)
                .sorted(java.util.Comparator.comparingLong(Entry::begin)).toList();
        for (int i = 1; i < byStart.size(); i++) {
            Entry a = byStart.get(i - 1);
            Entry b = byStart.get(i);
            if (b.begin < a.end) {
                throw new MdmException(file + ": tensors '" + a.name + "' (bytes [" + a.begin + ", " + a.end
                        + ")) and '" + b.name + "' (bytes [" + b.begin + ", " + b.end
                        + ")) overlap; the file is corrupt or crafted");
            }
        }
    }

    private static Entry entry(Path file, String name, JsonNode node, long dataSize) {
        String where = file + ": tensor '" + name + "'";
        JsonNode dtype = node.get("dtype");
        JsonNode shapeNode = node.get("shape");
        JsonNode offsets = node.get("data_offsets");
        if (dtype == null || !dtype.isTextual() || shapeNode == null || !shapeNode.isArray() || offsets == null
                || !offsets.isArray() || offsets.size() != 2) {
            throw new MdmException(where + " has a corrupt header entry " + node
                    + " (needs dtype, shape and data_offsets [begin, end])");
        }
        ElementType type = ElementType.ofSafetensors(dtype.textValue());
        if (type == null) {
            throw new MdmException(where + " has unsupported dtype " + dtype.textValue()
                    + "; supported: F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL");
        }
        long[] dims = new long[shapeNode.size()];
        for (int i = 0; i < dims.length; i++) {
            JsonNode d = shapeNode.get(i);
            if (!d.canConvertToLong() || !d.isIntegralNumber() || d.longValue() < 0) {
                throw new MdmException(where + " has a corrupt shape " + shapeNode);
            }
            dims[i] = d.longValue();
        }
        Shape shape = new Shape(dims);
        long begin = offsets.get(0).asLong(-1);
        long end = offsets.get(1).asLong(-1);
        long expected;
        try {
            expected = Math.multiplyExact(TensorBytes.elements(dims), type.fileBytes);
        } catch (ArithmeticException e) {
            throw new MdmException(where + " has shape " + shapeNode + ", too large to address (its size overflows "
                    + "64 bits); the file is corrupt");
        }
        if (begin < 0 || end < begin || end - begin != expected) {
            throw new MdmException(where + ": data_offsets " + offsets + " do not fit shape " + shape + " "
                    + dtype.textValue() + " (" + expected + " bytes); the file is corrupt");
        }
        if (end > dataSize) {
            throw new MdmException(where + " needs data bytes [" + begin + ", " + end + ") but the file has only "
                    + dataSize + " data bytes: the file is truncated");
        }
        return new Entry(name, type, shape, begin, end);
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position, Path file, String what)
            throws IOException {
        long pos = position;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, pos);
            if (n < 0) {
                throw new MdmException(file + " is truncated while reading " + what);
            }
            pos += n;
        }
    }

    private static void writeFully(FileChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }
}
