package mdm.data.tsvtar;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;

/**
 * A read-only index of a tar file's regular members (POSIX ustar, with GNU long names and pax
 * {@code path} records), built by one pass over the 512-byte headers. Indexing stops at the first
 * damaged header (bad checksum, size beyond the end of the file); members before it stay readable
 * and {@link #damage()} says what and where. Thread-safe: members are read with positional reads.
 */
final class TarArchive {
    private static final int BLOCK = 512;

    private record Member(long offset, long size) {
    }

    private final Path file;
    private final Map<String, Member> members = new HashMap<>();
    private String damage;

    private TarArchive(Path file) {
        this.file = file;
    }

    /** Indexes the tar; an I/O failure (unreadable file) is thrown, damage inside the tar is recorded. */
    static TarArchive index(Path file) throws IOException {
        TarArchive tar = new TarArchive(file);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            tar.scan(ch);
        }
        return tar;
    }

    /** What stopped the index, e.g. "bad header checksum at byte 1024"; null for a sound tar. */
    String damage() {
        return damage;
    }

    boolean contains(String name) {
        return members.containsKey(name);
    }

    int size() {
        return members.size();
    }

    /** The member's bytes, or null if the index has no such member. */
    byte[] read(String name) throws IOException {
        Member m = members.get(name);
        if (m == null) {
            return null;
        }
        byte[] out = new byte[Math.toIntExact(m.size())];
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buf = ByteBuffer.wrap(out);
            long pos = m.offset();
            while (buf.hasRemaining()) {
                int n = ch.read(buf, pos);
                if (n < 0) {
                    throw new IOException("unexpected end of " + file + " in member " + name);
                }
                pos += n;
            }
        }
        return out;
    }

    private void scan(FileChannel ch) throws IOException {
        long length = ch.size();
        long pos = 0;
        String longName = null;
        ByteBuffer header = ByteBuffer.allocate(BLOCK);
        while (pos + BLOCK <= length) {
            header.clear();
            ch.read(header, pos);
            byte[] h = header.array();
            if (allZero(h)) {
                return; // end-of-archive marker
            }
            if (!checksumOk(h)) {
                damage = "bad header checksum at byte " + pos;
                return;
            }
            long size = size(h);
            if (size < 0) {
                damage = "unreadable member size at byte " + pos;
                return;
            }
            long data = pos + BLOCK;
            if (data + size > length) {
                damage = "member at byte " + pos + " needs " + size + " bytes but the file ends at byte " + length + " (truncated)";
                return;
            }
            char type = (char) h[156];
            String name = longName != null ? longName : name(h);
            longName = null;
            switch (type) {
                case 'L': // GNU: the data is the next member's name
                    longName = text(readData(ch, data, size), 0, (int) size);
                    break;
                case 'x': // pax: may carry the next member's path
                    longName = paxPath(readData(ch, data, size));
                    break;
                case '0':
                case '\0':
                case '7':
                    members.put(name, new Member(data, size));
                    break;
                default: // directories, links, devices, global pax headers: nothing to read
                    break;
            }
            pos = data + (size + BLOCK - 1) / BLOCK * BLOCK;
        }
        if (pos < length || pos > length || longName != null) {
            damage = "the file ends at byte " + length + " inside the member that starts before byte " + pos + " (truncated)";
        }
    }

    private static byte[] readData(FileChannel ch, long offset, long size) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(size));
        ch.read(b, offset);
        return b.array();
    }

    private static boolean allZero(byte[] h) {
        for (byte b : h) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    /** Unsigned sum of the header with the checksum field counted as spaces (signed sums are accepted too, as tar does). */
    private static boolean checksumOk(byte[] h) {
        long unsigned = 0;
        long signed = 0;
        for (int i = 0; i < BLOCK; i++) {
            int b = i >= 148 && i < 156 ? ' ' : h[i];
            unsigned += b & 0xff;
            signed += b;
        }
        long stored = octal(h, 148, 8);
        return stored == unsigned || stored == signed;
    }

    private static long size(byte[] h) {
        if ((h[124] & 0x80) != 0) { // GNU base-256 for sizes ≥ 8 GiB
            long v = h[124] & 0x7f;
            for (int i = 125; i < 136; i++) {
                v = (v << 8) | (h[i] & 0xff);
            }
            return v;
        }
        return octal(h, 124, 12);
    }

    private static long octal(byte[] h, int offset, int length) {
        long v = 0;
        boolean any = false;
        for (int i = offset; i < offset + length; i++) {
            byte b = h[i];
            if (b == 0 || b == ' ') {
                if (any) {
                    break;
                }
                continue;
            }
            if (b < '0' || b > '7') {
                return -1;
            }
            v = v * 8 + (b - '0');
            any = true;
        }
        return any ? v : 0;
    }

    private static String name(byte[] h) {
        String name = text(h, 0, 100);
        // POSIX ustar ("ustar\0") has a name prefix; GNU's "ustar  " uses that space for other fields
        boolean ustar = h[257] == 'u' && h[258] == 's' && h[259] == 't' && h[260] == 'a' && h[261] == 'r' && h[262] == 0;
        String prefix = ustar ? text(h, 345, 155) : "";
        return prefix.isEmpty() ? name : prefix + "/" + name;
    }

    private static String text(byte[] b, int offset, int length) {
        int end = offset;
        while (end < offset + length && b[end] != 0) {
            end++;
        }
        return new String(b, offset, end - offset, StandardCharsets.UTF_8);
    }

    /** The {@code path} value of pax extended-header records ("LEN path=VALUE\n", LEN in bytes), or null. */
    private static String paxPath(byte[] data) {
        int i = 0;
        while (i < data.length) {
            int space = i;
            int len = 0;
            while (space < data.length && data[space] >= '0' && data[space] <= '9') {
                len = len * 10 + (data[space] - '0');
                space++;
            }
            if (space >= data.length || data[space] != ' ' || len <= space - i || i + len > data.length) {
                return null;
            }
            String record = new String(data, space + 1, i + len - space - 2, StandardCharsets.UTF_8);
            if (record.startsWith("path=")) {
                return record.substring(5);
            }
            i += len;
        }
        return null;
    }
}
