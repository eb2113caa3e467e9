package mdm.core.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import mdm.api.MdmException;

/**
 * Reads numpy {@code .npz} archives ({@code np.savez}, compressed or not). Our own reader rather than DJL's
 * {@code NDList.decode}, which drops names starting with {@code arr_}, ignores big-endian data and reports
 * problems without naming the entry.
 */
public final class Npz {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([<>|=])([a-zA-Z]\\d+)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private Npz() {
    }

    /**
     * All arrays of an {@code .npz} file in file order, keyed by entry name without {@code .npy}, created in
     * {@code manager}. Element types f8, f4, f2, i8, i4, i2 (loads as int32), i1, u1, b1; either byte order;
     * C or Fortran order.
     */
    public static Map<String, NDArray> read(Path file, NDManager manager) {
        Map<String, NDArray> arrays = new LinkedHashMap<>();
        boolean complete = false;
        try (ZipFile zip = ZipArchives.open(file)) {
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry entry = entries.nextElement();
                if (entry.isDirectory()) {
                    continue;
                }
                if (!entry.getName().endsWith(".npy")) {
                    throw new MdmException(file + ": entry '" + entry.getName()
                            + "' is not a .npy array; an .npz file holds only .npy entries");
                }
                String key = entry.getName().substring(0, entry.getName().length() - 4);
                try (InputStream in = zip.getInputStream(entry)) {
                    NDArray array = readNpy(in, manager, file + " entry '" + entry.getName() + "'");
                    array.setName(key);
                    arrays.put(key, array);
                } catch (IOException e) {
                    throw new MdmException(file + ": cannot read entry '" + entry.getName()
                            + "' (truncated or corrupt file?): " + e.getMessage(), e);
                }
            }
            complete = true;
        } catch (IOException e) {
            throw new MdmException("Cannot read " + file + ": " + e.getMessage(), e);
        } finally {
            if (!complete) {
                arrays.values().forEach(NDArray::close);
            }
        }
        return arrays;
    }

    /** One {@code .npy} stream; {@code where} names it in errors. */
    static NDArray readNpy(InputStream in, NDManager manager, String where) throws IOException {
        byte[] magic = in.readNBytes(8);
        if (magic.length < 8 || !Arrays.equals(Arrays.copyOf(magic, 6), MAGIC)) {
            throw new MdmException(where + " is not a .npy array (no \\x93NUMPY magic)");
        }
        int major = magic[6];
        if (major < 1 || major > 3) {
            throw new MdmException(where + ": unsupported .npy version " + major + "." + magic[7]);
        }
        byte[] lengthBytes = in.readNBytes(major == 1 ? 2 : 4);
        long headerLength = 0;
        for (int i = lengthBytes.length - 1; i >= 0; i--) {
            headerLength = headerLength << 8 | (lengthBytes[i] & 0xff);
        }
        if (lengthBytes.length < (major == 1 ? 2 : 4) || headerLength > 1 << 20) {
            throw new MdmException(where + ": corrupt .npy header length");
        }
        byte[] headerBytes = in.readNBytes((int) headerLength);
        if (headerBytes.length < headerLength) {
            throw new MdmException(where + ": truncated .npy header");
        }
        String header = new String(headerBytes, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Matcher descr = DESCR.matcher(header);
        Matcher fortran = FORTRAN.matcher(header);
        Matcher shapeText = SHAPE.matcher(header);
        if (!descr.find() || !fortran.find() || !shapeText.find()) {
            throw new MdmException(where + ": unsupported .npy header " + header.trim()
                    + " (expected a plain numeric dtype such as '<f4')");
        }
        ElementType type = ElementType.ofNumpy(descr.group(2));
        if (type == null) {
            throw new MdmException(where + ": unsupported dtype '" + descr.group(1) + descr.group(2)
                    + "'; supported: f8, f4, f2, i8, i4, i2, i1, u1, b1");
        }
        Shape shape = parseShape(shapeText.group(1), where);
        ByteOrder order = descr.group(1).equals(">") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        long bytes;
        try {
            bytes = Math.multiplyExact(TensorBytes.elements(shape.getShape()), type.fileBytes);
        } catch (ArithmeticException e) {
            throw new MdmException(where + ": shape " + shape + " is too large to address (its size overflows 64 bits);"
                    + " the file is corrupt");
        }
        if (bytes > Integer.MAX_VALUE - 8) {
            throw new MdmException(where + ": arrays over 2 GB are not supported");
        }
        int length = (int) bytes;
        byte[] data = in.readNBytes(length);
        if (data.length < length) {
            throw new MdmException(where + " is truncated: " + shape + " " + type + " needs " + length
                    + " bytes of data, found " + data.length);
        }
        if (fortran.group(1).equals("True")) {
            // numpy writes Fortran-contiguous arrays (e.g. a transpose) column-major rather than copying them
            long[] dims = shape.getShape();
            long[] strides = new long[dims.length];
            long step = 1;
            for (int i = 0; i < dims.length; i++) {
                strides[i] = step;
                step *= dims[i];
            }
            data = TensorBytes.gather(data, 0, dims, strides, type.fileBytes);
        }
        try {
            return TensorBytes.fromBytes(manager, data, 0, type, shape, order);
        } catch (ArithmeticException overflow) {
            throw TensorBytes.tooLarge(where, shape, type);
        }
    }

    private static Shape parseShape(String text, String where) {
        String[] parts = text.split(",");
        long[] dims = new long[parts.length];
        int n = 0;
        for (String part : parts) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            try {
                dims[n] = Long.parseLong(p.endsWith("L") ? p.substring(0, p.length() - 1) : p);
            } catch (NumberFormatException e) {
                dims[n] = -1;
            }
            if (dims[n++] < 0) {
                throw new MdmException(where + ": corrupt shape (" + text + ")");
            }
        }
        return new Shape(Arrays.copyOf(dims, n));
    }
}
