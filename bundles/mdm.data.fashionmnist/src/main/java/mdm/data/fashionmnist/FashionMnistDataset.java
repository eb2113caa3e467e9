package mdm.data.fashionmnist;

import java.util.Arrays;
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
import mdm.core.random.HostRandom;
import org.osgi.service.component.annotations.Component;

/**
 * Fashion-MNIST (Zalando; 60,000 train / 10,000 test grey 28² images of 10 clothing classes), read
 * from the idx files of Debian's {@code dataset-fashion-mnist} package and centred on a black 32²
 * canvas. The caption of a sample is its class name. A split is read once and kept by the component.
 */
@Component(service = DatasetProvider.class,
        property = {Components.NAME + "=" + FashionMnistDataset.NAME, Components.KIND + "=" + Components.DATASET})
public final class FashionMnistDataset implements DatasetProvider {
    public static final String NAME = "fashion-mnist";

    private final Map<String, FashionMnistData> loaded = new ConcurrentHashMap<>();

    public static FashionMnistOptions options(Options node) {
        return Json.bind(node, FashionMnistOptions.class, "fashion-mnist options");
    }

    @Override
    public DatasetInfo describe(Options node) {
        FashionMnistOptions o = options(node);
        int count = FashionMnistData.count(o);
        return new DatasetInfo(NAME, o.imageSize(), o.channels(), 1, FashionMnistData.CLASS_NAMES, true, count);
    }

    @Override
    public SampleStream open(Options node, long seed, StreamPosition start) {
        FashionMnistOptions o = options(node);
        FashionMnistData data = loaded.computeIfAbsent(o.path() + "|" + o.split(), k -> FashionMnistData.load(o));
        return new DataStream(NAME, new Source(data, o.imageSize(), o.channels()), o.loader(), seed, start);
    }

    /** Pads each 28² image into the centre of a black square. */
    private record Source(FashionMnistData data, int canvas, int channels) implements SampleSource {
        @Override
        public long size() {
            return data.count;
        }

        @Override
        public Sample load(long entry, HostRandom random) {
            int side = FashionMnistData.SIDE;
            int size = canvas;
            int n = (int) entry;
            int plane = size * size;
            float[] pixels = new float[channels * plane];
            Arrays.fill(pixels, -1f);
            int pad = (size - side) / 2;
            int src = n * side * side;
            for (int y = 0; y < side; y++) {
                int row = (y + pad) * size + pad;
                for (int x = 0; x < side; x++) {
                    pixels[row + x] = FloatImage.fromByte(data.images[src + y * side + x]);
                }
            }
            for (int c = 1; c < channels; c++) {
                System.arraycopy(pixels, 0, pixels, c * plane, plane);
            }
            int label = data.labels[n];
            return new Sample(pixels, 1, channels, size, size, label, FashionMnistData.CLASS_NAMES.get(label), NAME + ":" + n);
        }
    }
}
