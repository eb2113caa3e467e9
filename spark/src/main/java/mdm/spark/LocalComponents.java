package mdm.spark;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import mdm.api.Components;
import mdm.api.DjlRuntime;
import mdm.api.MdmException;
import mdm.api.data.DatasetProvider;
import mdm.api.eval.FeatureMetric;
import mdm.api.eval.FeatureNetwork;
import mdm.backbone.nested.internal.NestedUNetComponent;
import mdm.backbone.unet.internal.UNetBackboneComponent;
import mdm.conditioner.label.internal.ClassConditionerFactory;
import mdm.conditioner.text.internal.LearnedTextConditionerFactory;
import mdm.conditioner.text.internal.T5ConditionerFactory;
import mdm.data.fashionmnist.FashionMnistDataset;
import mdm.data.shapes.ShapesChecker;
import mdm.data.shapes.ShapesDataset;
import mdm.eval.featurenet.CnnFeatureNetwork;
import mdm.eval.internal.AccuracyMetric;
import mdm.eval.internal.FdMetric;
import mdm.eval.internal.KidMetric;
import mdm.eval.quality.EvalRegistry;
import mdm.eval.quality.QualityService;
import mdm.samplers.AncestralSampler;
import mdm.samplers.DdimSampler;
import mdm.samplers.DpmSolverSampler;
import mdm.schedules.CosineSchedule;
import mdm.schedules.DeepFloydSchedule;
import mdm.schedules.LinearSchedule;
import mdm.schedules.SigmoidSchedule;
import mdm.trainer.internal.MapComponentRegistry;

/**
 * The components a Spark process needs, constructed directly from the bundles' jars (no OSGi framework on an
 * executor): the backbones, schedules, samplers, conditioners and datasets mdm:eval resolves a checkpoint
 * with, and the sample-quality service with the shipped feature networks and the fd, kid and accuracy metrics.
 * The names are the components' {@code mdm.name}s in the runtime, so a checkpoint's experiment resolves here as
 * it does there.
 */
public final class LocalComponents {
    private static final List<String> NETWORKS = List.of("fashion-mnist", "shapes");

    private LocalComponents() {
    }

    /** The registry; its sample-quality service caches reference features under {@code work/eval-cache}. */
    public static MapComponentRegistry registry(DjlRuntime runtime, Path work) {
        return registry(runtime, quality(runtime, work));
    }

    /** The registry with {@code quality} as its sample-quality service. */
    public static MapComponentRegistry registry(DjlRuntime runtime, QualityService quality) {
        MapComponentRegistry r = new MapComponentRegistry()
                .put(Components.BACKBONE, "nested_unet", new NestedUNetComponent())
                .put(Components.BACKBONE, "unet", new UNetBackboneComponent())
                .put(Components.SCHEDULE, "deepfloyd", new DeepFloydSchedule())
                .put(Components.SCHEDULE, "cosine", new CosineSchedule())
                .put(Components.SCHEDULE, "ddpm", new LinearSchedule())
                .put(Components.SCHEDULE, "sigmoid", new SigmoidSchedule())
                .put(Components.SAMPLER, "ddim", new DdimSampler())
                .put(Components.SAMPLER, "ddpm", new AncestralSampler())
                .put(Components.SAMPLER, "dpm-solver++", new DpmSolverSampler())
                .put(Components.CONDITIONER, "class", new ClassConditionerFactory(runtime))
                .put(Components.CONDITIONER, "learned-text", new LearnedTextConditionerFactory(runtime))
                .put(Components.CONDITIONER, "t5", new T5ConditionerFactory(runtime))
                .put(Components.DATASET, "fashion-mnist", new FashionMnistDataset())
                .put(Components.DATASET, "shapes", new ShapesDataset())
                .put(Components.EVALUATOR, "shapes", new ShapesChecker());
        return r.put(Components.SAMPLE_QUALITY, "mdm", quality);
    }

    /** The conditioners alone (for the caption-embedding job, which needs no feature network). */
    public static MapComponentRegistry conditioners(DjlRuntime runtime) {
        return new MapComponentRegistry()
                .put(Components.CONDITIONER, "class", new ClassConditionerFactory(runtime))
                .put(Components.CONDITIONER, "learned-text", new LearnedTextConditionerFactory(runtime))
                .put(Components.CONDITIONER, "t5", new T5ConditionerFactory(runtime));
    }

    /** The sample-quality service with the shipped feature networks and the fd, kid and accuracy metrics. */
    public static QualityService quality(DjlRuntime runtime, Path work) {
        List<FeatureNetwork> networks = new ArrayList<>();
        ClassLoader cl = CnnFeatureNetwork.class.getClassLoader();
        for (String name : NETWORKS) {
            String folder = "featurenets/" + name + "/";
            try (InputStream d = cl.getResourceAsStream(folder + CnnFeatureNetwork.DESCRIPTION);
                 InputStream w = cl.getResourceAsStream(folder + CnnFeatureNetwork.WEIGHTS)) {
                if (d == null || w == null) {
                    throw new MdmException("the mdm.eval jar has no feature network '" + name + "'");
                }
                networks.add(CnnFeatureNetwork.load(d, w, runtime.newManager()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        Map<String, FeatureMetric> metrics = new LinkedHashMap<>();
        metrics.put("fd", new FdMetric(runtime));
        metrics.put("kid", new KidMetric(runtime));
        metrics.put("accuracy", new AccuracyMetric());
        Map<String, DatasetProvider> datasets = Map.of("fashion-mnist", new FashionMnistDataset(),
                "shapes", new ShapesDataset());
        return new QualityService(new EvalRegistry() {
            @Override
            public DatasetProvider dataset(String name) {
                DatasetProvider p = datasets.get(name);
                if (p == null) {
                    throw new MdmException("no dataset named '" + name + "' on this Spark process: "
                            + String.join(", ", datasets.keySet()));
                }
                return p;
            }

            @Override
            public List<FeatureNetwork> featureNetworks() {
                return networks;
            }

            @Override
            public FeatureMetric metric(String name) {
                return metrics.get(name);
            }

            @Override
            public List<String> metricNames() {
                return List.copyOf(metrics.keySet());
            }
        }, work);
    }
}
