package mdm.data.tsvtar;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarUtils;

/**
 * A read-only index of a tar file's regular members, built by one pass of Apache Commons Compress's
 * tar reader (POSIX ustar, GNU long names and base-256 sizes, pax extended headers such as
 * {@code path} and {@code size}). Indexing stops at the first damaged header (bad checksum, a size
 * beyond the end of the file); members before it stay readable and {@link #damage()} says what and
 * where. Thread-safe: members are read afterwards with positional reads, looped until complete.
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

    private static boolean checksumOk(FileChannel ch, long at) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(BLOCK);
        long pos = at;
        while (header.hasRemaining()) {
            int n = ch.read(header, pos);
            if (n < 0) {
                return false;
            }
            pos += n;
        }
        try {
            return TarUtils.verifyCheckSum(header.array());
        } catch (IllegalArgumentException e) {
            return false; // not even an octal checksum field
        }
    }

    /**
     * One pass of Commons Compress's tar reader (ustar, GNU long names and sizes, pax records
     * including {@code size} and {@code path}), remembering where each regular member's data starts.
     * The data offset is the reader's byte count right after it has parsed a member's headers.
     */
    private void scan(FileChannel ch) throws IOException {
        long length = ch.size();
        InputStream raw = new BufferedInputStream(Channels.newInputStream(ch), 64 * 1024);
        try (TarArchiveInputStream in = new TarArchiveInputStream(raw)) {
            long headerAt = 0; // where the next entry's first header block starts
            while (true) {
                TarArchiveEntry entry;
                try {
                    entry = in.getNextEntry();
                } catch (IOException | IllegalArgumentException e) {
                    boolean cut = e instanceof java.io.EOFException
                            || String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT).contains("truncated");
                    damage = cut ? "the file ends at byte " + length + " inside the entry that starts at byte " + headerAt
                            + " (truncated)" : "bad header at byte " + headerAt + " (" + e.getMessage() + ")";
                    return;
                }
                if (entry == null) {
                    break;
                }
                long data = in.getBytesRead();
                // Commons Compress does not check header checksums; a flipped bit must not rename a member
                for (long at : new long[] {headerAt, data - BLOCK}) {
                    if (!checksumOk(ch, at)) {
                        damage = "bad header checksum at byte " + at;
                        return;
                    }
                }
                long size = entry.getSize();
                if (size < 0 || data + size > length) {
                    damage = "member " + entry.getName() + " at byte " + headerAt + " needs " + size
                            + " bytes but the file ends at byte " + length + " (truncated)";
                    return;
                }
                if (entry.isFile() && !entry.isSparse()) {
                    members.put(entry.getName(), new Member(data, size));
                }
                headerAt = data + (size + BLOCK - 1) / BLOCK * BLOCK;
            }
            long end = in.getBytesRead();
            if (end > length) {
                damage = "the file ends at byte " + length + " inside the member that starts before byte " + end
                        + " (truncated)";
            }
        } catch (IOException e) {
            if (damage == null) {
                damage = "unreadable tar: " + e.getMessage();
            }
        }
    }
}
