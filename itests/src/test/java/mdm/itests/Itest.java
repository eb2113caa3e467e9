package mdm.itests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import mdm.core.fixtures.ReferenceWeights;

/** Paths and small file helpers shared by the integration tests. */
final class Itest {
    static final Path RESOURCES = Path.of(System.getProperty("mdm.itest.resources", "src/test/resources")).toAbsolutePath();
    static final Path TESTDATA = Path.of(System.getProperty("mdm.testdata", "../testdata")).toAbsolutePath();
    static final Path SAMPLES = Path.of(System.getProperty("mdm.samples", "../samples")).toAbsolutePath();

    /** The nested32 weights the reference fixtures were made with, as an .npz (written by {@link #writeNested32Npz}). */
    static final Path NESTED32_NPZ = Path.of(System.getProperty("mdm.itest.work", "target/work"))
            .toAbsolutePath().resolve("nested32_weights.npz");

    private Itest() {
    }

    /**
     * Writes {@link #NESTED32_NPZ} from testdata/ml-mdm/nested32_weights.json (seeded, not stored), outside
     * the framework: tests call it from their {@code @Configuration}, which runs before the probe starts.
     */
    static synchronized void writeNested32Npz() {
        if (Files.isRegularFile(NESTED32_NPZ)) {
            return;
        }
        try {
            JsonNode root = new ObjectMapper().readTree(TESTDATA.resolve("ml-mdm/nested32_weights.json").toFile());
            Files.createDirectories(NESTED32_NPZ.getParent());
            Path tmp = Files.createTempFile(NESTED32_NPZ.getParent(), "nested32", ".npz");
            try (OutputStream file = Files.newOutputStream(tmp); ZipOutputStream zip = new ZipOutputStream(file)) {
                for (JsonNode t : root.get("tensors")) {
                    long n = 1;
                    List<String> dims = new ArrayList<>();
                    for (JsonNode d : t.get("shape")) {
                        n *= d.asLong();
                        dims.add(Long.toString(d.asLong()));
                    }
                    String shape = dims.size() == 1 ? "(" + dims.get(0) + ",)" : "(" + String.join(", ", dims) + ")";
                    float[] v = ReferenceWeights.values(t.get("seed").asLong(), Math.toIntExact(n),
                            (float) t.get("center").asDouble(), (float) t.get("scale").asDouble());
                    if (ReferenceWeights.crc32(v) != t.get("crc32").asLong()) {
                        throw new IllegalStateException("seeded weights of " + t.get("key").asText() + " differ");
                    }
                    zip.putNextEntry(new ZipEntry(t.get("key").asText() + ".npy"));
                    zip.write(npyHeader(shape));
                    ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                    b.asFloatBuffer().put(v);
                    zip.write(b.array());
                    zip.closeEntry();
                }
            }
            Files.move(tmp, NESTED32_NPZ);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** NPY format 1.0 header of a little-endian float32 C-order array. */
    private static byte[] npyHeader(String shape) {
        StringBuilder dict = new StringBuilder("{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }");
        while ((10 + dict.length() + 1) % 64 != 0) {
            dict.append(' ');
        }
        dict.append('\n');
        ByteBuffer b = ByteBuffer.allocate(10 + dict.length()).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
        b.putShort((short) dict.length()).put(dict.toString().getBytes(StandardCharsets.US_ASCII));
        return b.array();
    }

    /** The "loss" values of a run's metrics, in step order. */
    static List<Double> losses(Path run) throws IOException {
        List<Double> out = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) {
            int i = line.indexOf("\"loss\":");
            if (i >= 0) {
                int end = i + 7;
                while (end < line.length() && ",}".indexOf(line.charAt(end)) < 0) {
                    end++;
                }
                out.add(Double.parseDouble(line.substring(i + 7, end)));
            }
        }
        return out;
    }
}
