package mdm.data.videoframes;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import mdm.api.Options;
import mdm.api.Components;
import mdm.api.MdmException;
import mdm.api.data.DatasetInfo;
import mdm.api.data.DatasetProvider;
import mdm.api.data.Sample;
import mdm.api.data.SampleStream;
import mdm.api.data.StreamPosition;
import mdm.core.config.Json;
import mdm.core.data.DataStream;
import mdm.core.data.SampleSource;
import mdm.core.image.Crop;
import mdm.core.image.FloatImage;
import mdm.core.image.ImageCodec;
import mdm.core.image.Resize;
import mdm.core.random.HostRandom;
import org.osgi.service.component.annotations.Component;

/**
 * Clips stored as folders of frame images: a sample is {@code frames} frames, every
 * {@code stride}-th from the first (or a random) frame, each resized on its shorter side and cut to
 * the same square. Captions come from a clip's {@code caption.txt} (or its class name). The
 * generated clip variant lives in the shapes dataset ({@code shapes} with {@code video: true}).
 */
@Component(service = DatasetProvider.class,
        property = {Components.NAME + "=" + VideoFramesDataset.NAME, Components.KIND + "=" + Components.DATASET})
public final class VideoFramesDataset implements DatasetProvider {
    public static final String NAME = "video-frames";

    private final Map<String, ClipIndex> listed = new ConcurrentHashMap<>();

    public static VideoFramesOptions options(Options node) {
        return Json.bind(node, VideoFramesOptions.class, "video-frames options");
    }

    private ClipIndex index(VideoFramesOptions o) {
        String key = Path.of(o.path()).toAbsolutePath().normalize() + "|" + o.classes() + "|" + o.extensions();
        return listed.computeIfAbsent(key, k -> ClipIndex.scan(o));
    }

    @Override
    public DatasetInfo describe(Options node) {
        VideoFramesOptions o = options(node);
        ClipIndex index = index(o);
        boolean captions = index.clips().stream().anyMatch(c -> c.caption() != null);
        return new DatasetInfo(NAME, o.imageSize(), 3, o.frames(), index.classes(), captions, index.clips().size());
    }

    @Override
    public SampleStream open(Options node, long seed, StreamPosition start) {
        VideoFramesOptions o = options(node);
        return new DataStream(NAME, new Source(index(o), o), o.loader(), seed, start);
    }

    private record Source(ClipIndex index, VideoFramesOptions options) implements SampleSource {
        @Override
        public long size() {
            return index.clips().size();
        }

        @Override
        public String describe(long entry) {
            return "clip " + index.clips().get((int) entry).folder();
        }

        @Override
        public Sample load(long entry, HostRandom random) {
            ClipIndex.Clip clip = index.clips().get((int) entry);
            int available = clip.frames().size();
            int span = options.span();
            if (available < span) {
                throw new MdmException("clip " + clip.folder() + " has " + available + " frames; " + options.frames()
                        + " frames with stride " + options.stride() + " need " + span);
            }
            int first = options.randomStart() ? random.nextInt(available - span + 1) : 0;
            int size = options.imageSize();
            int frameSize = 3 * size * size;
            float[] pixels = new float[options.frames() * frameSize];
            int top = -1;
            int left = -1;
            int sourceH = -1;
            int sourceW = -1;
            for (int f = 0; f < options.frames(); f++) {
                Path file = clip.frames().get(first + f * options.stride());
                FloatImage image = ImageCodec.read(file);
                if (f == 0) {
                    sourceH = image.height();
                    sourceW = image.width();
                } else if (image.height() != sourceH || image.width() != sourceW) {
                    throw new MdmException("frame " + file + " is " + image.width() + "×" + image.height()
                            + ", the clip's first frame " + sourceW + "×" + sourceH + ": a clip's frames must share one size");
                }
                FloatImage scaled = Resize.shorterSide(image, size);
                if (top < 0) {
                    // one crop for the whole clip, so the frames stay aligned
                    boolean centre = options.crop() == Crop.CENTRE;
                    top = centre ? (scaled.height() - size) / 2 : random.nextInt(scaled.height() - size + 1);
                    left = centre ? (scaled.width() - size) / 2 : random.nextInt(scaled.width() - size + 1);
                }
                System.arraycopy(Resize.crop(scaled, top, left, size, size).data(), 0, pixels, f * frameSize, frameSize);
            }
            return new Sample(pixels, options.frames(), 3, size, size, clip.label(), clip.caption(),
                    NAME + ":" + clip.folder().getFileName() + "@" + first);
        }
    }
}
