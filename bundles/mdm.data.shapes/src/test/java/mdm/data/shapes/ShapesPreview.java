package mdm.data.shapes;

import java.nio.file.Path;
import mdm.core.config.Json;
import mdm.core.image.Previews;

/**
 * Writes the shapes previews: a PNG grid of 64 images with their captions and a GIF of 4 clips.
 * Usage: {@code ShapesPreview [folder (target/preview)] [seed (1)] [image size (64)]}.
 */
public final class ShapesPreview {
    private ShapesPreview() {
    }

    public static void main(String[] args) {
        Path folder = Path.of(args.length > 0 ? args[0] : "target/preview");
        long seed = args.length > 1 ? Long.parseLong(args[1]) : 1;
        int size = args.length > 2 ? Integer.parseInt(args[2]) : 64;
        ShapesDataset shapes = new ShapesDataset();
        Path grid = Previews.preview(shapes, Json.parseOptions("{image_size: " + size + "}"), seed, 64, folder.resolve("shapes-grid.png"));
        Path clips = Previews.preview(shapes, Json.parseOptions("{image_size: " + size + ", video: true}"), seed, 4, folder.resolve("shapes-clips.gif"));
        System.out.println("wrote " + grid.toAbsolutePath() + " and " + clips.toAbsolutePath());
    }
}
