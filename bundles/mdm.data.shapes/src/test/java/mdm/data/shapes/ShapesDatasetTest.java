package mdm.data.shapes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import mdm.api.MdmException;
import mdm.api.data.DatasetInfo;
import mdm.api.data.Sample;
import mdm.api.data.SampleStream;
import mdm.api.data.StreamPosition;
import mdm.core.config.Json;
import mdm.core.image.FloatImage;
import mdm.core.image.ImageCodec;
import org.junit.jupiter.api.Test;

class ShapesDatasetTest {
    private final ShapesDataset dataset = new ShapesDataset();

    private List<Sample> take(String options, long seed, StreamPosition start, int n) {
        List<Sample> out = new ArrayList<>();
        try (SampleStream s = dataset.open(Json.parseOptions(options), seed, start)) {
            for (int i = 0; i < n; i++) {
                out.add(s.next());
            }
        }
        return out;
    }

    private static byte[] png(Sample s) {
        return ImageCodec.encodePng(new FloatImage(3, s.height(), s.width(), s.pixels()));
    }

    @Test
    void sameSeedGivesByteIdenticalImages() {
        List<Sample> a = take("{}", 42, StreamPosition.START, 20);
        List<Sample> b = take("{loader: {workers: 0}}", 42, StreamPosition.START, 20);
        List<Sample> c = take("{}", 43, StreamPosition.START, 20);
        for (int i = 0; i < a.size(); i++) {
            assertArrayEquals(png(a.get(i)), png(b.get(i)));
            assertArrayEquals(a.get(i).pixels(), b.get(i).pixels());
            assertEquals(a.get(i).caption(), b.get(i).caption());
        }
        assertNotEquals(a.stream().map(Sample::caption).toList(), c.stream().map(Sample::caption).toList());
    }

    @Test
    void resumesFromASavedPosition() {
        List<Sample> whole = take("{epoch_size: 7}", 3, StreamPosition.START, 20);
        List<Sample> tail = take("{epoch_size: 7}", 3, new StreamPosition(1, 5), 8);
        for (int i = 0; i < tail.size(); i++) {
            assertArrayEquals(whole.get(12 + i).pixels(), tail.get(i).pixels());
        }
        List<Sample> endless = take("{}", 3, new StreamPosition(0, 9), 1);
        assertEquals(take("{}", 3, StreamPosition.START, 10).get(9).caption(), endless.get(0).caption());
    }

    @Test
    void captionsSayEverythingAndLabelsFollowTheOption() {
        Sample s = take("{two_shape_fraction: 0}", 1, StreamPosition.START, 1).get(0);
        assertTrue(s.caption().matches("a (small|large) \\w+ (plain|striped|dotted) (circle|square|triangle) "
                + "(in the centre|at the top|at the bottom|on the left|on the right) on a (grey|white|black) background"), s.caption());
        DatasetInfo info = dataset.describe(Json.parseOptions("{class_label: shape_colour}"));
        assertEquals(24, info.numClasses());
        assertEquals("red circle", info.classNames().get(0));
        assertEquals(info.classNames().get(s.label()), s.caption().replaceAll("^a \\w+ (\\w+) \\w+ (\\w+) .*$", "$1 $2"));
        assertEquals(List.of("circle", "square", "triangle"), dataset.describe(Json.parseOptions("{class_label: shape}")).classNames());
        Sample two = take("{two_shape_fraction: 1}", 1, StreamPosition.START, 1).get(0);
        assertTrue(two.caption().matches(".* (on the left and .* on the right|at the top and .* at the bottom) on a .*"), two.caption());
        assertEquals(new DatasetInfo("shapes", 32, 3, 1, info.classNames(), true, -1), dataset.describe(Json.parseOptions("{image_size: 32}")));
    }

    @Test
    void clipsHaveSixteenFramesAndADirection() {
        Sample clip = take("{video: true, image_size: 32}", 1, StreamPosition.START, 1).get(0);
        assertEquals(16, clip.frames());
        assertEquals(16 * 3 * 32 * 32, clip.pixels().length);
        assertTrue(clip.caption().matches("a .* moving (up|down|left|right) on a \\w+ background"), clip.caption());
        assertEquals(16, dataset.describe(Json.parseOptions("{video: true}")).frames());
    }

    /**
     * The texture lives only above 16²: a 4×4 area average (the 16² pyramid level of a 64² image)
     * of a striped or dotted shape equals that of a flat shape of the pattern's mean colour, while a
     * 2×2 average (32²) still shows it.
     */
    @Test
    void texturesVanishAtSixteenSquared() {
        for (Texture texture : List.of(Texture.STRIPED, Texture.DOTTED)) {
            Scene scene = new Scene(Background.GREY, List.of(new Scene.Item(ShapeKind.SQUARE, Colour.BLUE, SizeClass.LARGE,
                    texture, Placement.CENTRE)), null);
            float[] px = Renderer.render(scene, 64, 1);
            // the square spans 19.2..44.8: blocks 5..10 (pixels 20..43) are fully inside
            assertEquals(0.0, spread(average(px, 64, 4), 16, 5, 10), 1e-6, texture + " at 16²");
            assertTrue(spread(average(px, 64, 2), 32, 10, 21) > 0.2, texture + " at 32²");
            assertTrue(spread(px, 64, 20, 43) > 0.2, texture + " at 64²");
        }
    }

    private static float[] average(float[] px, int size, int k) {
        int s = size / k;
        float[] out = new float[3 * s * s];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    out[(c * s + y / k) * s + x / k] += px[(c * size + y) * size + x] / (k * k);
                }
            }
        }
        return out;
    }

    /** Max − min of the blue channel over a square block of pixels [lo, hi]². */
    private static double spread(float[] px, int size, int lo, int hi) {
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (int y = lo; y <= hi; y++) {
            for (int x = lo; x <= hi; x++) {
                float v = px[(2 * size + y) * size + x];
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        return max - min;
    }

    @Test
    void badOptionsAreClearErrors() {
        MdmException typo = assertThrows(MdmException.class, () -> dataset.describe(Json.parseOptions("{colors: [red]}")));
        assertTrue(typo.getMessage().contains("did you mean 'colours'?"), typo.getMessage());
        MdmException value = assertThrows(MdmException.class, () -> dataset.describe(Json.parseOptions("{shapes: [hexagon]}")));
        assertTrue(value.getMessage().contains("shapes"), value.getMessage());
        MdmException size = assertThrows(MdmException.class, () -> dataset.describe(Json.parseOptions("{image_size: 48}")));
        assertTrue(size.getMessage().contains("power of two"), size.getMessage());
        MdmException tiny = assertThrows(MdmException.class, () -> dataset.describe(Json.parseOptions("{image_size: 16}")));
        assertTrue(tiny.getMessage().contains("textures"), tiny.getMessage());
        MdmException pair = assertThrows(MdmException.class, () -> dataset.describe(Json.parseOptions("{positions: [centre, top]}")));
        assertTrue(pair.getMessage().contains("two_shape_fraction"), pair.getMessage());
        MdmException loader = assertThrows(MdmException.class, () -> dataset.describe(Json.parseOptions("{loader: {on_eror: stop}}")));
        assertTrue(loader.getMessage().contains("did you mean 'on_error'?"), loader.getMessage());
    }

    @Test
    void simpleDemoConfigurationHasFewClasses() {
        String demo = "{image_size: 32, two_shape_fraction: 0, textures: [plain], backgrounds: [grey], sizes: [large], positions: [centre]}";
        DatasetInfo info = dataset.describe(Json.parseOptions(demo));
        assertEquals(24, info.numClasses());
        for (Sample s : take(demo, 9, StreamPosition.START, 30)) {
            assertTrue(s.caption().startsWith("a large ") && s.caption().endsWith(" plain " + info.classNames().get(s.label()).split(" ")[1]
                    + " in the centre on a grey background"), s.caption());
        }
        assertFalse(info.classNames().isEmpty());
    }
}
