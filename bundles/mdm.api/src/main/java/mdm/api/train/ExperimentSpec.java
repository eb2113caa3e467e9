package mdm.api.train;

import mdm.api.Options;
import java.util.List;

/**
 * A whole experiment: the components by name, the model in ml-mdm's field names, diffusion and
 * optimiser settings, the progressive stages and where results go. Validated when parsed.
 *
 * @param name        experiment name (used for the output folder and job ids)
 * @param seed        seed of every random choice (data order, noise, dropout, initialisation)
 * @param backbone    e.g. nested_unet
 * @param schedule    e.g. deepfloyd
 * @param sampler     e.g. ddim (used for sample grids and as the default of mdm:sample)
 * @param conditioner e.g. class, t5, learned-text
 * @param dataset     e.g. shapes, with its options; null for a model that is only sampled (see data)
 * @param evaluator   optional scorer of sample grids (null for none)
 * @param model       the ml-mdm model section (unet_config mapping)
 * @param diffusion   ml-mdm diffusion/sampler settings (field names of DiffusionConfig/SamplerConfig)
 * @param optimizer   optimiser settings
 * @param training    batch size, checkpoint and sampling intervals
 * @param sampling    settings of sample grids and the default of mdm:sample
 * @param stages      progressive stages, lowest resolution first
 * @param data        the images' shape when there is no dataset, else null
 * @param output      output folder (relative to the runtime's work folder unless absolute)
 * @param source      the spec as written (kept in checkpoints for reproducibility)
 */
public record ExperimentSpec(
        String name,
        long seed,
        ComponentRef backbone,
        ComponentRef schedule,
        ComponentRef sampler,
        ComponentRef conditioner,
        ComponentRef dataset,
        ComponentRef evaluator,
        Options model,
        Options diffusion,
        OptimizerSpec optimizer,
        TrainingSpec training,
        SamplingSpec sampling,
        List<StageSpec> stages,
        DataSpec data,
        String output,
        Options source) {
    public ExperimentSpec {
        stages = List.copyOf(stages);
    }

    /** Steps of all stages together. */
    public long totalSteps() {
        return stages.stream().mapToLong(StageSpec::steps).sum();
    }
}
