package mdm.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import mdm.api.MdmException;
import mdm.api.data.DatasetProvider;
import mdm.api.data.Sample;
import mdm.api.eval.FeatureMetric;
import mdm.api.eval.FeatureNetwork;
import mdm.api.eval.FeatureNetworkInfo;
import mdm.api.eval.Features;
import mdm.api.eval.QualityReport;
import mdm.api.eval.QualityRequest;
import mdm.core.runtime.EngineRuntime;
import mdm.data.shapes.ShapesDataset;
import mdm.eval.internal.FdMetric;
import mdm.eval.internal.KidMetric;
import mdm.eval.quality.EvalRegistry;
import mdm.eval.quality.QualityService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import mdm.core.fixtures.EngineExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The measuring service with a stand-in feature network (pixel statistics): caching, eval.json, bad input. */
class QualityServiceTest {
    static EngineRuntime runtime;

    @RegisterExtension
    static final EngineExtension ENGINE = new EngineExtension(r -> runtime = r);

    /** Mean and spread of each colour channel: enough to tell images apart, nothing to train. */
    static final class PixelStatistics implements FeatureNetwork {
        int embedded;

        @Override
        public FeatureNetworkInfo info() {
            return new FeatureNetworkInfo("pixel-stats", "0".repeat(64), 16, 3, 6, List.of("shapes"), Map.of(), Map.of(), "");
        }

        @Override
        public Features embed(List<Sample> images) {
            float[] v = new float[images.size() * 6];
            for (int i = 0; i < images.size(); i++) {
                Sample s = images.get(i);
                int plane = s.width() * s.height();
                for (int c = 0; c < 3; c++) {
                    double sum = 0;
                    double sq = 0;
                    for (int p = 0; p < plane; p++) {
                        float x = s.pixels()[c * plane + p];
                        sum += x;
                        sq += x * x;
                    }
                    v[i * 6 + c] = (float) (sum / plane);
                    v[i * 6 + 3 + c] = (float) Math.sqrt(Math.max(0, sq / plane - (sum / plane) * (sum / plane)));
                }
            }
            embedded += images.size();
            return new Features("pixel-stats", "0".repeat(64), images.size(), 6, v, List.of());
        }
    }

    static QualityService service(Path work, PixelStatistics net) {
        Map<String, FeatureMetric> metrics = Map.of("fd", new FdMetric(runtime), "kid", new KidMetric(runtime));
        return new QualityService(new EvalRegistry() {
            @Override
            public DatasetProvider dataset(String name) {
                if (!name.equals("shapes")) {
                    throw new MdmException("no dataset named '" + name + "'");
                }
                return new ShapesDataset();
            }

            @Override
            public List<FeatureNetwork> featureNetworks() {
                return List.of(net);
            }

            @Override
            public FeatureMetric metric(String name) {
                return metrics.get(name);
            }

            @Override
            public List<String> metricNames() {
                return List.of("fd", "kid");
            }
        }, work);
    }

    static QualityRequest request(int n, Path out) {
        return new QualityRequest("shapes", Map.of("image_size", 16, "textures", List.of("plain")), null,
                List.of("fd", "kid"), n, 3, out, true, Map.of("sampler", "test"));
    }

    @Test
    void heldOutDrawsAreCloseAndTheReferenceIsCached(@TempDir Path work) throws Exception {
        PixelStatistics net = new PixelStatistics();
        QualityService q = service(work, net);
        QualityReport floor = q.measureHeldOut(request(400, work.resolve("out")), p -> { });
        assertEquals(800, net.embedded, "reference and held-out images embedded once each");
        assertTrue(floor.figures().get("fd") < 0.01, floor.toString());
        assertTrue(Files.isRegularFile(work.resolve("out/eval.json")));
        assertTrue(Files.isRegularFile(work.resolve("out/features.npz")));
        QualityReport again = q.measureHeldOut(request(300, null), p -> { });
        assertEquals(800, net.embedded, "a smaller N takes a prefix of the cached vectors");
        assertEquals(300, again.n());

        // solid grey images are far from shapes
        List<Sample> grey = new ArrayList<>();
        QualityReport bad = q.measure(request(300, null), count -> {
            List<Sample> out = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                out.add(new Sample(new float[3 * 16 * 16], 1, 3, 16, 16, -1, null, "grey-" + i));
            }
            return out;
        }, p -> { });
        assertTrue(bad.figures().get("fd") > 100 * floor.figures().get("fd"), bad + " vs " + floor);
        assertTrue(grey.isEmpty());
    }

    @Test
    void badInputIsRefusedBeforeAnyImageIsMade(@TempDir Path work) {
        PixelStatistics net = new PixelStatistics();
        QualityService q = service(work, net);
        MdmException few = assertThrows(MdmException.class, () -> q.check(request(1, null)));
        assertTrue(few.getMessage().contains("at least 2"), few.getMessage());
        MdmException none = assertThrows(MdmException.class, () -> q.check(new QualityRequest("fashion-mnist", Map.of(),
                null, List.of("fd"), 10, 0, null, false, Map.of())));
        assertTrue(none.getMessage().contains("no dataset"), none.getMessage());
        MdmException unknown = assertThrows(MdmException.class, () -> q.check(new QualityRequest("shapes", Map.of(),
                "inception", List.of("fd"), 10, 0, null, false, Map.of())));
        assertTrue(unknown.getMessage().contains("Registered: pixel-stats (for shapes)"), unknown.getMessage());
        assertEquals(0, net.embedded);
    }

    @Test
    void aDatasetWithoutFeatureNetworkNamesTheExistingOnesAndHowToAddOne(@TempDir Path work) {
        MdmException e = assertThrows(MdmException.class,
                () -> service(work, new PixelStatistics()).network(null, "fashion-mnist"));
        assertTrue(e.getMessage().contains("no feature network serves dataset 'fashion-mnist'"), e.getMessage());
        assertTrue(e.getMessage().contains("pixel-stats"), e.getMessage());
        assertTrue(e.getMessage().contains("mdm:featurenet"), e.getMessage());
    }

    @Test
    void nonFiniteFeaturesAreAnErrorNotANanFigure(@TempDir Path work) {
        PixelStatistics net = new PixelStatistics();
        QualityService q = service(work, net);
        MdmException e = assertThrows(MdmException.class, () -> q.measure(request(50, null), count -> {
            List<Sample> out = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                float[] px = new float[3 * 16 * 16];
                px[0] = Float.NaN;
                out.add(new Sample(px, 1, 3, 16, 16, -1, null, "nan-" + i));
            }
            return out;
        }, p -> { }));
        assertTrue(e.getMessage().contains("NaN"), e.getMessage());
    }
}
