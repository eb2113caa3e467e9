package mdm.data.shapes;

import mdm.api.Options;
import mdm.api.Components;
import mdm.api.data.DatasetInfo;
import mdm.api.data.DatasetProvider;
import mdm.api.data.SampleStream;
import mdm.api.data.StreamPosition;
import mdm.core.config.Json;
import mdm.core.data.DataStream;
import org.osgi.service.component.annotations.Component;

/**
 * The embedded default dataset: generated scenes of one or two shapes with full captions and class
 * labels, or clips of a moving shape ({@code video: true}). No files; thousands of images a second.
 */
@Component(service = DatasetProvider.class,
        property = {Components.NAME + "=" + ShapesDataset.NAME, Components.KIND + "=" + Components.DATASET})
public final class ShapesDataset implements DatasetProvider {
    public static final String NAME = "shapes";

    /** Binds and validates options (unknown keys name the nearest valid key). */
    public static ShapesOptions options(Options node) {
        return Json.bind(node, ShapesOptions.class, "shapes options");
    }

    @Override
    public DatasetInfo describe(Options node) {
        ShapesOptions o = options(node);
        return new DatasetInfo(NAME, o.imageSize(), 3, o.frameCount(), o.classNames(), true, o.epochSize());
    }

    @Override
    public SampleStream open(Options node, long seed, StreamPosition start) {
        ShapesOptions o = options(node);
        return new DataStream(NAME, new ShapesSource(o, seed), o.loader(), seed, start);
    }
}
