package mdm.data.tsvtar;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Writes small ustar files for tests (regular members; GNU 'L' records for names over 100 bytes). */
final class TestTars {
    private TestTars() {
    }

    static Path write(Path file, Map<String, byte[]> members) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (var m : members.entrySet()) {
            byte[] name = m.getKey().getBytes(StandardCharsets.UTF_8);
            if (name.length > 100) {
                block(out, "././@LongLink", 'L', name.length + 1);
                data(out, java.util.Arrays.copyOf(name, name.length + 1));
            }
            block(out, name.length > 100 ? m.getKey().substring(0, 100) : m.getKey(), '0', m.getValue().length);
            data(out, m.getValue());
        }
        out.write(new byte[1024]);
        Files.write(file, out.toByteArray());
        return file;
    }

    /**
     * One member whose size is given only by a pax extended header ({@code size=N}; the ustar size
     * field says 0), as tar writes members too large for the octal field, then a plain member.
     */
    static Path writePaxSized(Path file, String name, byte[] data, String nextName, byte[] next) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String body = " size=" + data.length + "\n";
        int length = body.length() + 1;
        while (Integer.toString(length).length() + body.length() != length) {
            length++;
        }
        byte[] record = (length + body).getBytes(StandardCharsets.UTF_8);
        block(out, "PaxHeaders/" + name, 'x', record.length);
        data(out, record);
        block(out, name, '0', 0);
        data(out, data);
        block(out, nextName, '0', next.length);
        data(out, next);
        out.write(new byte[1024]);
        Files.write(file, out.toByteArray());
        return file;
    }

    private static void block(ByteArrayOutputStream out, String name, char type, long size) throws IOException {
        byte[] h = new byte[512];
        put(h, 0, name);
        put(h, 100, "0000644");
        put(h, 108, "0000000");
        put(h, 116, "0000000");
        put(h, 124, String.format("%011o", size));
        put(h, 136, "00000000000");
        h[156] = (byte) type;
        put(h, 257, "ustar");
        put(h, 263, "00");
        for (int i = 148; i < 156; i++) {
            h[i] = ' ';
        }
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        put(h, 148, String.format("%06o", sum));
        h[154] = 0;
        out.write(h);
    }

    private static void data(ByteArrayOutputStream out, byte[] data) {
        out.write(data, 0, data.length);
        int pad = (512 - data.length % 512) % 512;
        out.write(new byte[pad], 0, pad);
    }

    private static void put(byte[] h, int at, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(b, 0, h, at, Math.min(b.length, 100));
    }
}
