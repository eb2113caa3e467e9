package mdm.data.shapes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShapesPreviewTest {
    @TempDir
    Path dir;

    @Test
    void writesAGridOf64CaptionedImagesAndAGifOf4Clips() throws Exception {
        ShapesPreview.main(new String[] {dir.toString(), "1", "32"});
        BufferedImage grid = ImageIO.read(dir.resolve("shapes-grid.png").toFile());
        // 8 columns of 32² cells enlarged 4× to 128 px, 4 px gaps
        assertEquals(8 * (128 + 4) + 4, grid.getWidth());
        assertTrue(grid.getHeight() > 8 * 128 + 8 * 20, "rows leave room for the captions: " + grid.getHeight());
        try (var in = ImageIO.createImageInputStream(Files.newInputStream(dir.resolve("shapes-clips.gif")))) {
            ImageReader reader = ImageIO.getImageReaders(in).next();
            reader.setInput(in);
            assertEquals(16, reader.getNumImages(true));
            assertEquals(2 * (128 + 4) + 4, reader.read(0).getWidth());
            reader.dispose();
        }
    }
}
