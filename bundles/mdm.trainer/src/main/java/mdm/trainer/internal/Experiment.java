package mdm.trainer.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import mdm.api.conditioning.ConditionerFactory;
import mdm.api.data.DatasetInfo;
import mdm.api.data.DatasetProvider;
import mdm.api.diffusion.NoiseSchedule;
import mdm.api.diffusion.Sampler;
import mdm.api.eval.Evaluator;
import mdm.api.model.BackboneFactory;
import mdm.api.train.ExperimentSpec;
import mdm.diffusion.DiffusionSettings;

/**
 * A validated experiment bound to the components it resolved. A job keeps these for its whole
 * life, whatever is installed or removed meanwhile; closing releases them.
 */
final class Experiment implements AutoCloseable {
    final ExperimentSpec spec;
    final ComponentRegistry.Lease<DatasetProvider> dataset;
    final DatasetInfo data;
    final ComponentRegistry.Lease<ConditionerFactory> conditioner;
    final int conditioningDim;
    final ComponentRegistry.Lease<NoiseSchedule> schedule;
    final ComponentRegistry.Lease<Sampler> sampler;
    final ComponentRegistry.Lease<Evaluator> evaluator;
    final Map<String, ComponentRegistry.Lease<BackboneFactory>> backbones;
    final DiffusionSettings diffusion;
    final List<StagePlan> stages;
    /** Side of the model's input images: the frame size, or the mosaic size for clips. */
    final int imageSize;
    /** Frames per clip tiled into one mosaic image (1 for images). */
    final int frames;

    Experiment(ExperimentSpec spec, ComponentRegistry.Lease<DatasetProvider> dataset, DatasetInfo data,
               ComponentRegistry.Lease<ConditionerFactory> conditioner, int conditioningDim,
               ComponentRegistry.Lease<NoiseSchedule> schedule, ComponentRegistry.Lease<Sampler> sampler,
               ComponentRegistry.Lease<Evaluator> evaluator,
               Map<String, ComponentRegistry.Lease<BackboneFactory>> backbones, DiffusionSettings diffusion,
               List<StagePlan> stages, int imageSize, int frames) {
        this.spec = spec;
        this.dataset = dataset;
        this.data = data;
        this.conditioner = conditioner;
        this.conditioningDim = conditioningDim;
        this.schedule = schedule;
        this.sampler = sampler;
        this.evaluator = evaluator;
        this.backbones = backbones;
        this.diffusion = diffusion;
        this.stages = stages;
        this.imageSize = imageSize;
        this.frames = frames;
    }

    StagePlan finalStage() {
        return stages.get(stages.size() - 1);
    }

    /**
     * Frame tiles per side of each level of a stage (highest first): 4 for a 16-frame mosaic, halved
     * at each level that keeps frames; 1 for images.
     */
    List<Integer> tiles(StagePlan plan) {
        if (plan.backboneName().equals(ExperimentResolver.CASCADE)) {
            return java.util.Collections.nCopies(plan.index() + 1, 1); // images of every stage up to this one
        }
        StagePlan full = finalStage();
        List<Integer> all = new ArrayList<>();
        int t = (int) Math.round(Math.sqrt(frames));
        List<Boolean> kept = full.config().frameSubsampled();
        List<Integer> scales = full.levelScales();
        for (int i = 0; i < scales.size(); i++) {
            if (i > 0 && kept.get(i)) {
                t /= scales.get(i - 1) / scales.get(i);
            }
            all.add(t);
        }
        int k = plan.levelScales().size();
        return all.subList(all.size() - k, all.size());
    }

    /** Every lease, for watching and releasing. */
    List<ComponentRegistry.Lease<?>> leases() {
        List<ComponentRegistry.Lease<?>> all = new ArrayList<>(List.of(conditioner, schedule, sampler));
        if (dataset != null) {
            all.add(dataset);
        }
        if (evaluator != null) {
            all.add(evaluator);
        }
        all.addAll(backbones.values());
        return all;
    }

    /** Component kind/name → bundle and version, for the checkpoint's record of what produced it. */
    Map<String, String> origins() {
        Map<String, String> out = new LinkedHashMap<>();
        backbones.forEach((name, l) -> out.put("backbone/" + name, l.origin()));
        out.put("schedule/" + spec.schedule().name(), schedule.origin());
        out.put("sampler/" + spec.sampler().name(), sampler.origin());
        out.put("conditioner/" + spec.conditioner().name(), conditioner.origin());
        if (dataset != null) {
            out.put("dataset/" + spec.dataset().name(), dataset.origin());
        }
        if (evaluator != null) {
            out.put("evaluator/" + spec.evaluator().name(), evaluator.origin());
        }
        return out;
    }

    @Override
    public void close() {
        leases().forEach(ComponentRegistry.Lease::release);
    }
}
