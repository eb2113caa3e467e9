package mdm.core.image;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import mdm.api.MdmException;
import mdm.api.Options;
import mdm.api.data.DatasetInfo;
import mdm.api.data.DatasetProvider;
import mdm.api.data.Sample;
import mdm.api.data.SampleStream;
import mdm.api.data.StreamPosition;

/**
 * Pictures of samples people would rather see than read: a PNG grid for images, an animated GIF
 * (a grid per frame) for clips, each cell captioned with its caption or class name.
 */
public final class Previews {
    /** Frame time of preview GIFs: 8 frames per second. */
    public static final int FRAME_MS = 125;

    private Previews() {
    }

    /**
     * Draws the first {@code count} samples of a dataset: {@code out} gets a PNG grid for images or an
     * animated GIF for clips (the extension is replaced to match). This is what {@code mdm:preview} runs.
     *
     * @return the file written
     */
    public static Path preview(DatasetProvider provider, Options options, long seed, int count, Path out) {
        if (count <= 0) {
            throw new MdmException("preview count must be positive, got " + count);
        }
        DatasetInfo info = provider.describe(options);
        List<Sample> samples = new ArrayList<>(count);
        try (SampleStream stream = provider.open(options, seed, StreamPosition.START)) {
            for (int i = 0; i < count; i++) {
                samples.add(stream.next());
            }
        }
        int columns = (int) Math.ceil(Math.sqrt(count));
        int scale = Math.max(1, 128 / Math.max(1, info.imageSize()));
        return write(samples, info.classNames(), columns, scale, withExtension(out, info.frames() > 1 ? "gif" : "png"));
    }

    /**
     * Writes samples as a PNG grid (frames = 1) or an animated GIF (frames &gt; 1).
     *
     * @param classNames used as the caption of a sample that has none; may be empty
     */
    public static Path write(List<Sample> samples, List<String> classNames, int columns, int scale, Path out) {
        List<String> captions = new ArrayList<>();
        boolean any = false;
        for (Sample s : samples) {
            String text = s.caption() != null ? s.caption()
                    : s.hasLabel() && s.label() < classNames.size() ? classNames.get(s.label())
                    : s.hasLabel() ? "class " + s.label() : null;
            any |= text != null;
            captions.add(text);
        }
        List<String> shown = any ? captions : null;
        int frames = samples.get(0).frames();
        if (frames == 1) {
            List<FloatImage> images = samples.stream().map(Previews::firstFrame).toList();
            return ImageCodec.writePng(ImageGrid.render(images, shown, columns, scale), out);
        }
        List<BufferedImage> pages = new ArrayList<>(frames);
        for (int f = 0; f < frames; f++) {
            List<FloatImage> images = new ArrayList<>();
            for (Sample s : samples) {
                images.add(FloatImage.frameOf(s.pixels(), Math.min(f, s.frames() - 1), s.channels(), s.height(), s.width()));
            }
            pages.add(ImageGrid.render(images, shown, columns, scale));
        }
        return AnimatedGif.write(pages, FRAME_MS, out);
    }

    private static FloatImage firstFrame(Sample s) {
        return FloatImage.frameOf(s.pixels(), 0, s.channels(), s.height(), s.width());
    }

    private static Path withExtension(Path out, String ext) {
        String name = out.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String stem = dot > 0 ? name.substring(0, dot) : name;
        return out.resolveSibling(stem + "." + ext);
    }
}
