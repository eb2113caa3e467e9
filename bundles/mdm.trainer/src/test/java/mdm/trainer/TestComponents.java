package mdm.trainer;

import mdm.api.Components;
import mdm.api.DjlRuntime;
import mdm.backbone.nested.internal.NestedUNetComponent;
import mdm.backbone.unet.internal.UNetBackboneComponent;
import mdm.baseline.cascade.internal.CascadeComponent;
import mdm.baseline.latent.internal.LatentComponent;
import mdm.conditioner.label.internal.ClassConditionerFactory;
import mdm.conditioner.text.internal.LearnedTextConditionerFactory;
import mdm.data.fashionmnist.FashionMnistDataset;
import mdm.data.shapes.ShapesChecker;
import mdm.data.shapes.ShapesDataset;
import mdm.samplers.DdimSampler;
import mdm.schedules.CosineSchedule;
import mdm.schedules.DeepFloydSchedule;
import mdm.trainer.internal.MapComponentRegistry;

/** The real components, constructed directly, as a registry for tests outside a framework. */
public final class TestComponents {
    private TestComponents() {
    }

    public static MapComponentRegistry registry(DjlRuntime runtime) {
        return new MapComponentRegistry()
                .put(Components.BACKBONE, "nested_unet", new NestedUNetComponent())
                .put(Components.BACKBONE, "unet", new UNetBackboneComponent())
                .put(Components.BACKBONE, "cascade", new CascadeComponent())
                .put(Components.BACKBONE, "latent", new LatentComponent())
                .put(Components.SCHEDULE, "deepfloyd", new DeepFloydSchedule())
                .put(Components.SCHEDULE, "cosine", new CosineSchedule())
                .put(Components.SAMPLER, "ddim", new DdimSampler())
                .put(Components.CONDITIONER, "class", new ClassConditionerFactory(runtime))
                .put(Components.CONDITIONER, "learned-text", new LearnedTextConditionerFactory(runtime))
                .put(Components.DATASET, "fashion-mnist", new FashionMnistDataset())
                .put(Components.DATASET, "shapes", new ShapesDataset())
                .put(Components.EVALUATOR, "shapes", new ShapesChecker());
    }
}
