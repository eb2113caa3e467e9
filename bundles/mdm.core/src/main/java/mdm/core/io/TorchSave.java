package mdm.core.io;

import ai.djl.ndarray.NDArray;
import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import mdm.api.MdmException;

/**
 * Writes PyTorch's zip serialization, as {@code torch.save} does since 1.6, for what ml-mdm's loader reads: a
 * dict whose {@code state_dict} entry is an ordered dict name → tensor, beside plain values ({@code batch_num},
 * {@code exp_avg_loss}, ...). The records are {@code archive/data.pkl} (a protocol-2 pickle that names only
 * {@code collections.OrderedDict}, {@code torch._utils._rebuild_tensor_v2} and the {@code torch.*Storage}
 * types: no class of ours or ml-mdm's), one {@code archive/data/<i>} per tensor
 * and {@code archive/version}; entries are stored uncompressed with their data 64-byte aligned, as PyTorch
 * writes them (so that {@code torch.load(mmap=True)} works too). The file is written atomically.
 */
public final class TorchSave {
    /** The entry holding the state dict, as ml-mdm's {@code UNet.save} names it. */
    public static final String STATE_DICT = "state_dict";
    private static final String PREFIX = "archive/";
    private static final int ALIGN = 64;

    private TorchSave() {
    }

    /**
     * Writes {@code {"state_dict": OrderedDict(tensors), **values}} to {@code file}.
     *
     * @param tensors name → array in the order to write; contiguous C-order bytes of each are stored
     * @param values  plain top-level values: Integer, Long, Double, Float, String, Boolean or null
     */
    public static void write(Path file, Map<String, NDArray> tensors, Map<String, ?> values) {
        if (values.containsKey(STATE_DICT)) {
            throw new MdmException("cannot write " + file + ": '" + STATE_DICT + "' is the tensors' entry");
        }
        List<ElementType> types = new ArrayList<>();
        Pickle p = new Pickle();
        p.proto();
        p.emptyDict();
        p.mark();
        p.string(STATE_DICT);
        p.global("collections", "OrderedDict");
        p.emptyTuple();
        p.reduce();
        p.mark();
        int index = 0;
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            NDArray a = e.getValue();
            ElementType type = ElementType.forWriting(a.getDataType());
            if (type == null || type == ElementType.BF16) {
                throw new MdmException("cannot write tensor '" + e.getKey() + "' to " + file + ": data type "
                        + a.getDataType() + " is not written to torch files");
            }
            types.add(type);
            long[] shape = a.getShape().getShape();
            p.string(e.getKey());
            p.global("torch._utils", "_rebuild_tensor_v2");
            p.mark();
            p.mark();
            p.string("storage");
            p.global("torch", type.torchStorage);
            p.string(Integer.toString(index++));
            p.string("cpu");
            p.integer(a.getShape().size());
            p.tuple();
            p.persistentId();
            p.integer(0);
            p.longTuple(shape);
            p.longTuple(strides(shape));
            p.bool(false);
            p.global("collections", "OrderedDict");
            p.emptyTuple();
            p.reduce();
            p.tuple();
            p.reduce();
        }
        p.setItems();
        for (Map.Entry<String, ?> e : values.entrySet()) {
            p.string(e.getKey());
            p.value(e.getKey(), e.getValue());
        }
        p.setItems();
        p.stop();
        byte[] pickle = p.bytes();
        AtomicFiles.write(file, out -> {
            Aligned counted = new Aligned(out);
            try (ZipOutputStream zip = new ZipOutputStream(counted)) {
                zip.setLevel(0);
                counted.entry(zip, PREFIX + "data.pkl", pickle);
                int i = 0;
                for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
                    counted.entry(zip, PREFIX + "data/" + i, bytes(e.getKey(), e.getValue(), types.get(i)));
                    i++;
                }
                counted.entry(zip, PREFIX + "version", "3\n".getBytes(StandardCharsets.US_ASCII));
            }
        });
    }

    private static long[] strides(long[] shape) {
        long[] stride = new long[shape.length];
        long s = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            stride[i] = s;
            s *= Math.max(shape[i], 1);
        }
        return stride;
    }

    private static byte[] bytes(String name, NDArray array, ElementType type) {
        long expected = array.getShape().size() * type.fileBytes;
        if (expected == 0) {
            return new byte[0];
        }
        ByteBuffer buffer = array.toByteBuffer(true);
        if (buffer.remaining() != expected) {
            throw new MdmException("tensor '" + name + "' returned " + buffer.remaining() + " bytes for shape "
                    + array.getShape() + " " + array.getDataType() + "; expected " + expected);
        }
        if (buffer.order() != ByteOrder.LITTLE_ENDIAN && type.fileBytes > 1) {
            throw new MdmException("writing torch files needs a little-endian host");
        }
        byte[] out = new byte[(int) expected];
        buffer.get(out);
        return out;
    }

    /**
     * Counts the bytes written so that each stored entry's data starts on a 64-byte boundary: the local header's
     * extra field is padded as PyTorch's writer pads it (header id "FB").
     */
    private static final class Aligned extends FilterOutputStream {
        private long count;

        Aligned(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }

        void entry(ZipOutputStream zip, String name, byte[] data) throws IOException {
            ZipEntry entry = new ZipEntry(name);
            entry.setMethod(ZipEntry.STORED);
            entry.setSize(data.length);
            entry.setCompressedSize(data.length);
            CRC32 crc = new CRC32();
            crc.update(data);
            entry.setCrc(crc.getValue());
            entry.setTime(315532800000L + 86_400_000L); // 1980-01-02: fixed, so equal content gives equal files
            int nameBytes = name.getBytes(StandardCharsets.UTF_8).length;
            long dataStart = count + 30 + nameBytes + 4;
            int pad = (int) ((ALIGN - dataStart % ALIGN) % ALIGN);
            byte[] extra = new byte[4 + pad];
            extra[0] = 'F';
            extra[1] = 'B';
            extra[2] = (byte) pad;
            extra[3] = (byte) (pad >> 8);
            java.util.Arrays.fill(extra, 4, extra.length, (byte) 'Z');
            entry.setExtra(extra);
            zip.putNextEntry(entry);
            zip.write(data);
            zip.closeEntry();
        }
    }

    /** The few pickle opcodes torch.save's records need (protocol 2). */
    private static final class Pickle {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        void proto() {
            out.write(0x80);
            out.write(2);
        }

        void global(String module, String name) {
            out.write('c');
            ascii(module + "\n" + name + "\n");
        }

        void emptyDict() {
            out.write('}');
        }

        void emptyTuple() {
            out.write(')');
        }

        void mark() {
            out.write('(');
        }

        void tuple() {
            out.write('t');
        }

        void setItems() {
            out.write('u');
        }

        void reduce() {
            out.write('R');
        }

        void persistentId() {
            out.write('Q');
        }

        void stop() {
            out.write('.');
        }

        void bool(boolean v) {
            out.write(v ? 0x88 : 0x89);
        }

        void none() {
            out.write('N');
        }

        void string(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            out.write('X');
            le32(b.length);
            out.write(b, 0, b.length);
        }

        void integer(long v) {
            if (v >= 0 && v < 256) {
                out.write('K');
                out.write((int) v);
            } else if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
                out.write('J');
                le32((int) v);
            } else {
                // LONG1: little-endian two's complement
                byte[] big = BigInteger.valueOf(v).toByteArray();
                out.write(0x8a);
                out.write(big.length);
                for (int i = big.length - 1; i >= 0; i--) {
                    out.write(big[i]);
                }
            }
        }

        void real(double v) {
            out.write('G');
            long bits = Double.doubleToRawLongBits(v);
            for (int i = 7; i >= 0; i--) {
                out.write((int) (bits >>> (8 * i)));
            }
        }

        void longTuple(long[] values) {
            mark();
            for (long v : values) {
                integer(v);
            }
            tuple();
        }

        void value(String key, Object v) {
            if (v == null) {
                none();
            } else if (v instanceof Boolean b) {
                bool(b);
            } else if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
                integer(((Number) v).longValue());
            } else if (v instanceof Double || v instanceof Float) {
                real(((Number) v).doubleValue());
            } else if (v instanceof String s) {
                string(s);
            } else {
                throw new MdmException("cannot pickle '" + key + "': " + v.getClass().getSimpleName()
                        + " is not a plain value (number, string, boolean or null)");
            }
        }

        private void le32(int v) {
            out.write(v);
            out.write(v >> 8);
            out.write(v >> 16);
            out.write(v >> 24);
        }

        private void ascii(String s) {
            byte[] b = s.getBytes(StandardCharsets.US_ASCII);
            out.write(b, 0, b.length);
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }
}
