package mdm.data.imagefolder;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import mdm.api.Options;
import mdm.api.Components;
import mdm.api.data.DatasetInfo;
import mdm.api.data.DatasetProvider;
import mdm.api.data.Sample;
import mdm.api.data.SampleStream;
import mdm.api.data.StreamPosition;
import mdm.core.config.Json;
import mdm.core.data.DataStream;
import mdm.core.data.SampleSource;
import mdm.core.image.FloatImage;
import mdm.core.image.ImageCodec;
import mdm.core.image.Resize;
import mdm.core.random.HostRandom;
import org.osgi.service.component.annotations.Component;

/**
 * Images in class folders (ImageNet layout): labels are the sorted folder names, the caption of a
 * sample is its class name with underscores as spaces. Each image's shorter side is resized to
 * {@code image_size}, then a square is cut (centre or random), optionally flipped. A folder tree is
 * listed once per component and path.
 */
@Component(service = DatasetProvider.class,
        property = {Components.NAME + "=" + ImageFolderDataset.NAME, Components.KIND + "=" + Components.DATASET})
public final class ImageFolderDataset implements DatasetProvider {
    public static final String NAME = "image-folder";

    private final Map<String, FolderIndex> listed = new ConcurrentHashMap<>();

    public static ImageFolderOptions options(Options node) {
        return Json.bind(node, ImageFolderOptions.class, "image-folder options");
    }

    private FolderIndex index(ImageFolderOptions o) {
        String key = Path.of(o.path()).toAbsolutePath().normalize() + "|" + o.extensions();
        return listed.computeIfAbsent(key, k -> FolderIndex.scan(o));
    }

    @Override
    public DatasetInfo describe(Options node) {
        ImageFolderOptions o = options(node);
        FolderIndex index = index(o);
        return new DatasetInfo(NAME, o.imageSize(), 3, 1, index.classes(), true, index.files().size());
    }

    @Override
    public SampleStream open(Options node, long seed, StreamPosition start) {
        ImageFolderOptions o = options(node);
        return new DataStream(NAME, new Source(index(o), o), o.loader(), seed, start);
    }

    private record Source(FolderIndex index, ImageFolderOptions options) implements SampleSource {
        @Override
        public long size() {
            return index.files().size();
        }

        @Override
        public Sample load(long entry, HostRandom random) {
            Path file = index.files().get((int) entry);
            int label = index.labels()[(int) entry];
            String className = index.classes().get(label);
            FloatImage image = ImageCodec.read(file);
            image = Resize.shorterSideAndCrop(image, options.imageSize(), options.crop(), random);
            if (options.flip() && random.nextDouble() < 0.5) {
                image = Resize.flipHorizontal(image);
            }
            return new Sample(image.data(), 1, 3, image.height(), image.width(), label,
                    className.replace('_', ' '), NAME + ":" + className + "/" + file.getFileName());
        }

        @Override
        public String describe(long entry) {
            return "image " + index.files().get((int) entry);
        }
    }
}
