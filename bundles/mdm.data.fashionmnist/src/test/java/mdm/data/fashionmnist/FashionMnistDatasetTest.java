package mdm.data.fashionmnist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import mdm.api.MdmException;
import mdm.api.data.DatasetInfo;
import mdm.api.data.Sample;
import mdm.api.data.SampleStream;
import mdm.api.data.StreamPosition;
import mdm.core.config.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistDatasetTest {
    private static final Path DEBIAN = Path.of(FashionMnistOptions.DEBIAN_PATH);
    @TempDir
    Path dir;

    private final FashionMnistDataset dataset = new FashionMnistDataset();

    private static void assumeInstalled() {
        assumeTrue(IdxFile.locate(DEBIAN, "train-images-idx3-ubyte") != null,
                "Fashion-MNIST is not installed at " + DEBIAN + ": skipped (apt-get install dataset-fashion-mnist)");
    }

    @Test
    void debianSplitsHaveTheKnownSizesAndBalancedLabels() {
        assumeInstalled();
        for (String split : new String[] {"train", "test"}) {
            String options = "{split: " + split + ", loader: {shuffle: false, workers: 2}}";
            DatasetInfo info = dataset.describe(Json.parseOptions(options));
            int n = (int) info.size();
            assertEquals(split.equals("train") ? 60_000 : 10_000, n);
            assertEquals(10, info.numClasses());
            int[] histogram = new int[10];
            try (SampleStream s = dataset.open(Json.parseOptions(options), 0, StreamPosition.START)) {
                for (int i = 0; i < n; i++) {
                    Sample x = s.next();
                    histogram[x.label()]++;
                    if (i == 0) {
                        assertEquals(32, x.height());
                        assertEquals(1, x.channels());
                        assertEquals(-1f, x.pixels()[0], "the padding is black");
                        assertEquals(info.classNames().get(x.label()), x.caption());
                    }
                }
            }
            StringBuilder line = new StringBuilder("fashion-mnist " + split + " (" + n + "):");
            for (int c = 0; c < 10; c++) {
                line.append(String.format(" %s=%d", info.classNames().get(c), histogram[c]));
                assertEquals(n / 10, histogram[c], "Fashion-MNIST is balanced");
            }
            System.out.println(line);
        }
    }

    /** A tiny idx set written here: the reader handles plain and gzipped files and pads correctly. */
    @Test
    void readsIdxFilesAndPadsIntoTheCentre() throws IOException {
        byte[] images = new byte[3 * 28 * 28];
        images[28 * 28 + 0] = (byte) 255;            // image 1, pixel (0, 0)
        images[2 * 28 * 28 + 27 * 28 + 27] = (byte) 128; // image 2, pixel (27, 27)
        writeIdx(dir.resolve("t10k-images-idx3-ubyte.gz"), new int[] {3, 28, 28}, images, true);
        writeIdx(dir.resolve("t10k-labels-idx1-ubyte"), new int[] {3}, new byte[] {9, 0, 4}, false);
        String options = "{path: '" + dir + "', split: test, channels: 3, loader: {shuffle: false, workers: 0}}";
        assertEquals(3, dataset.describe(Json.parseOptions(options)).size());
        try (SampleStream s = dataset.open(Json.parseOptions(options), 0, StreamPosition.START)) {
            Sample a = s.next();
            Sample b = s.next();
            Sample c = s.next();
            assertEquals("Ankle boot", a.caption());
            assertEquals(0, b.label());
            assertEquals(1f, b.pixels()[2 * 32 + 2]);
            assertEquals(1f, b.pixels()[2 * 32 * 32 + 2 * 32 + 2], "grey repeated into every channel");
            assertEquals(128 / 127.5f - 1f, c.pixels()[29 * 32 + 29], 1e-6f);
            assertEquals(-1f, c.pixels()[30 * 32 + 30]);
        }
    }

    @Test
    void missingFilesSayHowToInstall() {
        MdmException e = assertThrows(MdmException.class, () -> dataset.describe(Json.parseOptions("{path: '" + dir.resolve("none") + "'}")));
        assertTrue(e.getMessage().contains("apt-get install dataset-fashion-mnist"), e.getMessage());
        MdmException empty = assertThrows(MdmException.class, () -> dataset.describe(Json.parseOptions("{path: '" + dir + "'}")));
        assertTrue(empty.getMessage().contains("train-images-idx3-ubyte"), empty.getMessage());
        MdmException key = assertThrows(MdmException.class, () -> dataset.describe(Json.parseOptions("{spilt: test}")));
        assertTrue(key.getMessage().contains("did you mean 'split'?"), key.getMessage());
    }

    private static void writeIdx(Path file, int[] dims, byte[] data, boolean gzip) throws IOException {
        var raw = Files.newOutputStream(file);
        try (DataOutputStream out = new DataOutputStream(gzip ? new GZIPOutputStream(raw) : raw)) {
            out.writeInt(0x0800 | dims.length);
            for (int d : dims) {
                out.writeInt(d);
            }
            out.write(data);
        }
    }
}
