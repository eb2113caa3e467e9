package mdm.trainer;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import mdm.api.Components;
import mdm.api.DjlRuntime;
import mdm.api.MdmException;
import mdm.api.data.DatasetProvider;
import mdm.api.eval.FeatureMetric;
import mdm.api.eval.FeatureNetwork;
import mdm.data.fashionmnist.FashionMnistDataset;
import mdm.data.shapes.ShapesDataset;
import mdm.eval.featurenet.CnnFeatureNetwork;
import mdm.eval.internal.AccuracyMetric;
import mdm.eval.internal.FdMetric;
import mdm.eval.internal.KidMetric;
import mdm.eval.quality.EvalRegistry;
import mdm.eval.quality.QualityService;
import mdm.trainer.internal.MapComponentRegistry;

/** The sample-quality service with the shipped Fashion-MNIST feature network, outside a framework. */
final class TestEval {
    private TestEval() {
    }

    static MapComponentRegistry withQuality(MapComponentRegistry registry, DjlRuntime runtime, Path work) throws Exception {
        ClassLoader cl = TestEval.class.getClassLoader();
        CnnFeatureNetwork net;
        try (InputStream d = cl.getResourceAsStream("featurenets/fashion-mnist/" + CnnFeatureNetwork.DESCRIPTION);
             InputStream w = cl.getResourceAsStream("featurenets/fashion-mnist/" + CnnFeatureNetwork.WEIGHTS)) {
            net = CnnFeatureNetwork.load(d, w, runtime.newManager());
        }
        Map<String, FeatureMetric> metrics = Map.of("fd", new FdMetric(runtime), "kid", new KidMetric(runtime),
                "accuracy", new AccuracyMetric());
        EvalRegistry eval = new EvalRegistry() {
            @Override
            public DatasetProvider dataset(String name) {
                return switch (name) {
                    case "fashion-mnist" -> new FashionMnistDataset();
                    case "shapes" -> new ShapesDataset();
                    default -> throw new MdmException("no dataset named '" + name + "'");
                };
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
                return List.copyOf(metrics.keySet());
            }
        };
        return registry.put(Components.SAMPLE_QUALITY, "mdm", new QualityService(eval, work));
    }
}
