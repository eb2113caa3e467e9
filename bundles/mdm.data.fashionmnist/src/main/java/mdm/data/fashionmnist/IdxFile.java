package mdm.data.fashionmnist;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import mdm.api.MdmException;

/**
 * The idx format of (Fashion-)MNIST: a big-endian header (two zero bytes, type 0x08 = unsigned
 * byte, the number of dimensions, each dimension as int32) followed by the bytes. Gzipped files
 * (as Debian ships them) are read transparently.
 */
final class IdxFile {
    final int[] dims;
    final byte[] data;

    private IdxFile(int[] dims, byte[] data) {
        this.dims = dims;
        this.data = data;
    }

    /** The file itself or its .gz sibling, whichever exists; null if neither. */
    static Path locate(Path folder, String name) {
        Path plain = folder.resolve(name);
        if (Files.isRegularFile(plain)) {
            return plain;
        }
        Path gz = folder.resolve(name + ".gz");
        return Files.isRegularFile(gz) ? gz : null;
    }

    /** Dimensions only, without reading the data. */
    static int[] header(Path file) {
        try (DataInputStream in = open(file)) {
            return readHeader(in, file);
        } catch (IOException e) {
            throw new MdmException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    static IdxFile read(Path file) {
        try (DataInputStream in = open(file)) {
            int[] dims = readHeader(in, file);
            long n = 1;
            for (int d : dims) {
                n *= d;
            }
            if (n > Integer.MAX_VALUE - 16) {
                throw new MdmException(file + " declares " + n + " bytes, more than one array holds");
            }
            byte[] data = new byte[(int) n];
            in.readFully(data);
            return new IdxFile(dims, data);
        } catch (java.io.EOFException e) {
            throw new MdmException(file + " is shorter than its header says: the file is truncated; reinstall it.", e);
        } catch (IOException e) {
            throw new MdmException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static DataInputStream open(Path file) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        if (file.getFileName().toString().endsWith(".gz")) {
            raw = new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16);
        }
        return new DataInputStream(raw);
    }

    private static int[] readHeader(DataInputStream in, Path file) throws IOException {
        int magic = in.readInt();
        int type = (magic >> 8) & 0xff;
        int rank = magic & 0xff;
        if ((magic >>> 16) != 0 || type != 0x08 || rank < 1 || rank > 4) {
            throw new MdmException(file + " is not an idx file of unsigned bytes (magic 0x" + Integer.toHexString(magic) + ")");
        }
        int[] dims = new int[rank];
        for (int i = 0; i < rank; i++) {
            dims[i] = in.readInt();
            if (dims[i] <= 0) {
                throw new MdmException(file + " has a bad dimension " + dims[i]);
            }
        }
        return dims;
    }
}
