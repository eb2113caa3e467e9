package mdm.data.imagefolder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import mdm.api.MdmException;
import mdm.api.data.DatasetInfo;
import mdm.api.data.Sample;
import mdm.api.data.SampleStream;
import mdm.api.data.StreamPosition;
import mdm.core.config.Json;
import mdm.core.image.FloatImage;
import mdm.core.image.ImageCodec;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderDatasetTest {
    @TempDir
    Path root;

    private final ImageFolderDataset dataset = new ImageFolderDataset();

    /** A 2-class tree: "red_things" holds 40×60 red-left/blue-right images, "zebra" 30×30 greys; plus noise. */
    @BeforeEach
    void writeTree() throws IOException {
        Files.createDirectories(root.resolve("red_things/nested"));
        Files.createDirectories(root.resolve("zebra"));
        Files.createDirectories(root.resolve(".cache"));
        for (int i = 0; i < 3; i++) {
            float[] px = new float[3 * 40 * 60];
            for (int y = 0; y < 40; y++) {
                for (int x = 0; x < 60; x++) {
                    boolean left = x < 30;
                    px[(0 * 40 + y) * 60 + x] = left ? 1f : -1f;
                    px[(2 * 40 + y) * 60 + x] = left ? -1f : 1f;
                    px[(1 * 40 + y) * 60 + x] = -1f + i * 0.25f;
                }
            }
            Path dir = i == 2 ? root.resolve("red_things/nested") : root.resolve("red_things");
            ImageCodec.writePng(new FloatImage(3, 40, 60, px), dir.resolve("r" + i + ".png"));
        }
        for (int i = 0; i < 2; i++) {
            ImageIO.write(FloatImage.filled(3, 30, 30, i * 0.5f).toBufferedImage(), "jpg", root.resolve("zebra/z" + i + ".JPG").toFile());
        }
        Files.writeString(root.resolve("zebra/notes.txt"), "not an image");
        Files.writeString(root.resolve(".cache/x.png"), "hidden");
    }

    private String options(String extra) {
        return "{path: '" + root + "', image_size: 16" + extra + "}";
    }

    @Test
    void labelsComeFromSortedFolderNames() {
        DatasetInfo info = dataset.describe(Json.parseOptions(options("")));
        assertEquals(List.of("red_things", "zebra"), info.classNames());
        assertEquals(5, info.size());
        Map<Integer, Integer> perLabel = new HashMap<>();
        try (SampleStream s = dataset.open(Json.parseOptions(options("")), 1, StreamPosition.START)) {
            for (int i = 0; i < 5; i++) {
                Sample x = s.next();
                perLabel.merge(x.label(), 1, Integer::sum);
                assertEquals(x.label() == 0 ? "red things" : "zebra", x.caption());
                assertEquals(16, x.height());
                assertEquals(16, x.width());
            }
        }
        assertEquals(Map.of(0, 3, 1, 2), perLabel);
    }

    @Test
    void centreCropOfAWideImageKeepsItsMiddle() {
        try (SampleStream s = dataset.open(Json.parseOptions(options(", loader: {shuffle: false}")), 1, StreamPosition.START)) {
            Sample x = s.next(); // red_things/nested/r2.png sorts first
            assertEquals("image-folder:red_things/r2.png", x.id());
            // 40×60 → 16×24, centre 16 columns: 4..19 of 24; the red/blue edge sits at column 12 → crop column 8
            assertEquals(1f, x.pixels()[8 * 16 + 2], 1e-5f);
            assertEquals(-1f, x.pixels()[8 * 16 + 13], 1e-5f);
            assertEquals(1f, x.pixels()[2 * 256 + 8 * 16 + 13], 1e-5f);
        }
    }

    @Test
    void randomCropsAndFlipsAreSeeded() {
        String random = options(", crop: random, flip: true, loader: {shuffle: false}");
        List<float[]> a = pixels(random, 4);
        List<float[]> b = pixels(random, 4);
        for (int i = 0; i < a.size(); i++) {
            assertArrayEquals(a.get(i), b.get(i));
        }
        boolean differ = false;
        List<float[]> c = pixels(random, 5);
        for (int i = 0; i < 3; i++) {
            differ |= !java.util.Arrays.equals(a.get(i), c.get(i));
        }
        assertTrue(differ, "another seed crops or flips differently");
    }

    private List<float[]> pixels(String options, long seed) {
        List<float[]> out = new ArrayList<>();
        try (SampleStream s = dataset.open(Json.parseOptions(options), seed, StreamPosition.START)) {
            for (int i = 0; i < 3; i++) {
                out.add(s.next().pixels());
            }
        }
        return out;
    }

    @Test
    void undecodableImagesAreSkippedOrStop() throws IOException {
        Files.writeString(root.resolve("zebra/broken.png"), "not a png");
        ImageFolderDataset fresh = new ImageFolderDataset();
        try (SampleStream s = fresh.open(Json.parseOptions(options(", loader: {shuffle: false}")), 1, StreamPosition.START)) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                ids.add(s.next().id());
            }
            assertFalse(ids.contains("image-folder:zebra/broken.png"), ids.toString());
        }
        ImageFolderDataset strict = new ImageFolderDataset();
        try (SampleStream s = strict.open(Json.parseOptions(options(", loader: {shuffle: false, on_error: stop}")), 1, StreamPosition.START)) {
            MdmException e = assertThrows(MdmException.class, () -> {
                for (int i = 0; i < 6; i++) {
                    s.next();
                }
            });
            assertTrue(e.getMessage().contains("broken.png"), e.getMessage());
        }
    }

    @Test
    void missingOrFlatFoldersAreClearErrors() throws IOException {
        MdmException none = assertThrows(MdmException.class, () -> dataset.describe(Json.parseOptions("{path: '" + root.resolve("nope") + "'}")));
        assertTrue(none.getMessage().contains("not found"), none.getMessage());
        Path flat = Files.createDirectories(root.resolve("zebra/flat"));
        MdmException noClasses = assertThrows(MdmException.class, () -> dataset.describe(Json.parseOptions("{path: '" + flat + "'}")));
        assertTrue(noClasses.getMessage().contains("one sub-folder per class"), noClasses.getMessage());
        MdmException required = assertThrows(MdmException.class, () -> dataset.describe(Json.parseOptions("{image_size: 8}")));
        assertTrue(required.getMessage().contains("path is required"), required.getMessage());
    }
}
