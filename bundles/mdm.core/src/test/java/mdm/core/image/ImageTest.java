package mdm.core.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import mdm.api.MdmException;
import mdm.core.random.HostRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageTest {
    @TempDir
    Path dir;

    /** An RGB image whose pixels are exact byte values, so an 8-bit round trip is lossless. */
    private static FloatImage gradient(int h, int w) {
        float[] d = new float[3 * h * w];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    d[(c * h + y) * w + x] = FloatImage.fromByte((x * 7 + y * 3 + c * 50) % 256);
                }
            }
        }
        return new FloatImage(3, h, w, d);
    }

    @Test
    void pngRoundTripIsExact() {
        FloatImage im = gradient(9, 13);
        FloatImage back = ImageCodec.decode(ImageCodec.encodePng(im), "test");
        assertArrayEquals(im.data(), back.data());
        assertEquals(1f, FloatImage.fromByte(255));
        assertEquals(-1f, FloatImage.fromByte(0));
        assertEquals(255, FloatImage.toByte(1.3f));
        assertEquals(0, FloatImage.toByte(Float.NaN));
    }

    @Test
    void jpegAndGreyDecodeToRgb() throws Exception {
        BufferedImage grey = new BufferedImage(8, 6, BufferedImage.TYPE_BYTE_GRAY);
        grey.getRaster().setSample(2, 3, 0, 200);
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(grey, "png", png);
        FloatImage g = ImageCodec.decode(png.toByteArray(), "grey");
        assertEquals(3, g.channels());
        assertEquals(FloatImage.fromByte(200), g.get(0, 3, 2));
        assertEquals(g.get(0, 3, 2), g.get(2, 3, 2));

        ByteArrayOutputStream jpg = new ByteArrayOutputStream();
        ImageIO.write(gradient(16, 16).toBufferedImage(), "jpg", jpg);
        FloatImage j = ImageCodec.decode(jpg.toByteArray(), "jpeg");
        assertEquals(16, j.width());
    }

    @Test
    void garbageIsAnErrorNamingTheSource() {
        MdmException e = assertThrows(MdmException.class, () -> ImageCodec.decode(new byte[] {1, 2, 3}, "entry x.jpg in shard s.tar"));
        assertTrue(e.getMessage().contains("entry x.jpg in shard s.tar"), e.getMessage());
    }

    @Test
    void shorterSideKeepsAspectAndCropsCentre() {
        FloatImage im = gradient(30, 40);
        FloatImage r = Resize.shorterSide(im, 15);
        assertEquals(15, r.height());
        assertEquals(20, r.width());
        FloatImage tall = Resize.shorterSide(gradient(50, 20), 10);
        assertEquals(25, tall.height());
        assertEquals(10, tall.width());
        FloatImage c = Resize.centreCrop(gradient(6, 10), 6, 6);
        assertEquals(gradient(6, 10).get(1, 2, 2), c.get(1, 2, 0));
        FloatImage a = Resize.shorterSideAndCrop(im, 16, Crop.RANDOM, new HostRandom(5));
        FloatImage b = Resize.shorterSideAndCrop(im, 16, Crop.RANDOM, new HostRandom(5));
        assertArrayEquals(a.data(), b.data());
        assertEquals(16, a.height());
        assertEquals(16, a.width());
    }

    @Test
    void downscalingAveragesAndUpscalingInterpolates() {
        float[] stripes = new float[8 * 8];
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = (i % 8) % 2 == 0 ? 1f : -1f;
        }
        FloatImage half = Resize.resize(new FloatImage(1, 8, 8, stripes), 4, 4);
        for (int y = 0; y < 4; y++) {
            for (int x = 1; x < 3; x++) {
                assertEquals(0f, half.get(0, y, x), 1e-6f, "a 1-pixel pattern averages out when halving (away from the border)");
            }
        }
        FloatImage flat = Resize.resize(FloatImage.filled(3, 5, 7, 0.25f), 13, 11);
        for (float v : flat.data()) {
            assertEquals(0.25f, v, 1e-6f);
        }
        FloatImage ramp = Resize.resize(new FloatImage(1, 1, 2, new float[] {-1f, 1f}), 1, 4);
        assertArrayEquals(new float[] {-1f, -0.5f, 0.5f, 1f}, ramp.data(), 1e-6f);
    }

    @Test
    void gridHasCaptionsUnderCells() {
        List<FloatImage> ims = List.of(FloatImage.filled(3, 8, 8, -1f), FloatImage.filled(3, 8, 8, 1f), FloatImage.filled(3, 8, 8, 0f));
        BufferedImage bare = ImageGrid.render(ims, null, 2, 4);
        BufferedImage captioned = ImageGrid.render(ims, List.of("a large red striped circle at the top", "b", "c"), 2, 4);
        assertEquals(2 * (32 + 4) + 4, bare.getWidth());
        assertTrue(captioned.getHeight() > bare.getHeight() + 20, "the long caption wraps onto several lines");
        assertEquals(0x000000, bare.getRGB(4, 4) & 0xffffff);
        int dark = 0;
        for (int y = 4 + 32; y < 4 + 32 + 20; y++) {
            for (int x = 4; x < 36; x++) {
                dark += (captioned.getRGB(x, y) & 0xff) < 128 ? 1 : 0;
            }
        }
        assertTrue(dark > 10, "caption text is drawn under the first cell");
    }

    @Test
    void gifHasEveryFrameAndLoops() throws Exception {
        Path gif = dir.resolve("clip.gif");
        List<BufferedImage> frames = List.of(gradient(10, 12).toBufferedImage(), FloatImage.filled(3, 10, 12, 1f).toBufferedImage(),
                FloatImage.filled(3, 10, 12, -1f).toBufferedImage());
        AnimatedGif.write(frames, 100, gif);
        try (var in = ImageIO.createImageInputStream(Files.newInputStream(gif))) {
            ImageReader reader = ImageIO.getImageReaders(in).next();
            reader.setInput(in);
            assertEquals(3, reader.getNumImages(true));
            BufferedImage white = reader.read(1);
            assertEquals(0xffffff, white.getRGB(5, 5) & 0xffffff);
            reader.dispose();
        }
        assertTrue(new String(Files.readAllBytes(gif), java.nio.charset.StandardCharsets.ISO_8859_1).contains("NETSCAPE2.0"));
    }
}
