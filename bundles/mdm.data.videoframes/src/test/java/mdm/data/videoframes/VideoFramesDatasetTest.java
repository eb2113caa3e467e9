package mdm.data.videoframes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import mdm.api.MdmException;
import mdm.api.data.DatasetInfo;
import mdm.api.data.Sample;
import mdm.api.data.SampleStream;
import mdm.api.data.StreamPosition;
import mdm.core.config.Json;
import mdm.core.image.FloatImage;
import mdm.core.image.ImageCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VideoFramesDatasetTest {
    @TempDir
    Path root;

    private final VideoFramesDataset dataset = new VideoFramesDataset();

    /** Frame k of a clip is a flat grey of level k/20 (so a frame's identity is its value). */
    private static float level(int k) {
        return FloatImage.fromByte(Math.round(255f * k / 20f));
    }

    private void writeClip(Path folder, int frames, String caption, boolean jpeg) throws IOException {
        Files.createDirectories(folder);
        for (int k = 0; k < frames; k++) {
            FloatImage frame = FloatImage.filled(3, 12, 20, level(k));
            if (jpeg) {
                ImageIO.write(frame.toBufferedImage(), "jpg", folder.resolve("frame" + k + ".jpg").toFile());
            } else {
                ImageCodec.writePng(frame, folder.resolve("frame" + k + ".png"));
            }
        }
        if (caption != null) {
            Files.writeString(folder.resolve("caption.txt"), caption + "\n");
        }
    }

    @Test
    void takesFramesWithAStrideInNaturalOrder() throws IOException {
        writeClip(root.resolve("clip1"), 12, "a waving flag", false);
        String options = "{path: '" + root + "', frames: 4, stride: 3, image_size: 8}";
        DatasetInfo info = dataset.describe(Json.parseOptions(options));
        assertEquals(4, info.frames());
        assertTrue(info.hasCaptions());
        try (SampleStream s = dataset.open(Json.parseOptions(options), 0, StreamPosition.START)) {
            Sample x = s.next();
            assertEquals(4, x.frames());
            assertEquals(4 * 3 * 8 * 8, x.pixels().length);
            assertEquals("a waving flag", x.caption());
            for (int f = 0; f < 4; f++) {
                assertEquals(level(3 * f), x.pixels()[f * 3 * 64 + 10], 1e-5f, "frame " + f + " is source frame " + 3 * f + " (frame10 after frame9)");
            }
        }
    }

    @Test
    void randomStartIsSeededAndClassesGiveLabels() throws IOException {
        writeClip(root.resolve("jumping/a"), 10, null, true);
        writeClip(root.resolve("running/b"), 6, null, false);
        String options = "{path: '" + root + "', classes: true, frames: 3, stride: 2, random_start: true, image_size: 8}";
        DatasetInfo info = dataset.describe(Json.parseOptions(options));
        assertEquals(List.of("jumping", "running"), info.classNames());
        List<String> a = ids(options, 1);
        assertEquals(a, ids(options, 1));
        try (SampleStream s = dataset.open(Json.parseOptions(options), 1, StreamPosition.START)) {
            Sample x = s.next();
            assertEquals(x.label() == 0 ? "jumping" : "running", x.caption());
        }
    }

    private List<String> ids(String options, long seed) {
        List<String> out = new ArrayList<>();
        try (SampleStream s = dataset.open(Json.parseOptions(options), seed, StreamPosition.START)) {
            for (int i = 0; i < 6; i++) {
                out.add(s.next().id());
            }
        }
        return out;
    }

    @Test
    void shortClipsAreReportedAndSkipped() throws IOException {
        writeClip(root.resolve("long"), 8, null, false);
        writeClip(root.resolve("short"), 2, null, false);
        String options = "{path: '" + root + "', frames: 4, image_size: 8, loader: {shuffle: false, on_error: stop}}";
        try (SampleStream s = dataset.open(Json.parseOptions(options), 0, StreamPosition.START)) {
            assertNull(s.next().caption());
            MdmException e = assertThrows(MdmException.class, s::next);
            assertTrue(e.getMessage().contains("short has 2 frames; 4 frames with stride 1 need 4"), e.getMessage());
        }
        MdmException missing = assertThrows(MdmException.class, () -> dataset.describe(Json.parseOptions("{path: '" + root.resolve("x") + "'}")));
        assertTrue(missing.getMessage().contains("not found"), missing.getMessage());
    }

    @Test
    void naturalOrderComparesNumbersAsNumbers() {
        List<String> names = new ArrayList<>(List.of("f10.png", "f2.png", "f1.png", "f002.png", "g.png"));
        names.sort(ClipIndex.NATURAL);
        assertEquals(List.of("f1.png", "f2.png", "f002.png", "f10.png", "g.png"), names);
    }
}
