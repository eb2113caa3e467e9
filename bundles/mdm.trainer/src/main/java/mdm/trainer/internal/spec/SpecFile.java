package mdm.trainer.internal.spec;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** The spec file as written: every section optional except components and stages; defaults come later. */
record SpecFile(
        @JsonProperty("name") String name,
        @JsonProperty("seed") Long seed,
        @JsonProperty("import") String importFile,
        @JsonProperty("components") ComponentsFile components,
        @JsonProperty("model") JsonNode model,
        @JsonProperty("diffusion") JsonNode diffusion,
        @JsonProperty("optimizer") OptimizerFile optimizer,
        @JsonProperty("training") TrainingFile training,
        @JsonProperty("sampling") SamplingFile sampling,
        @JsonProperty("stages") List<StageFile> stages,
        @JsonProperty("data") DataFile data,
        @JsonProperty("output") String output,
        /** evaluation during training; read and checked by the trainer's TrainingEvaluation */
        @JsonProperty("evaluation") JsonNode evaluation,
        /** mdm (default), cascade or latent: read by the trainer's Pipelines */
        @JsonProperty("pipeline") String pipeline,
        /** the cascade's super-resolution stages (pipeline: cascade); checked by the cascade backbone */
        @JsonProperty("cascade") JsonNode cascade,
        /** latent diffusion's autoencoder (pipeline: latent); checked by the latent backbone */
        @JsonProperty("latent") JsonNode latent) {

    /** The images' shape for a model without a dataset (imported, only sampled). */
    record DataFile(
            @JsonProperty("image_size") Integer imageSize,
            @JsonProperty("captions") Boolean captions,
            @JsonProperty("classes") Integer classes,
            @JsonProperty("frames") Integer frames) {
    }

    /** Each component is a name, or an object with {@code name} and its options. */
    record ComponentsFile(
            @JsonProperty("backbone") JsonNode backbone,
            @JsonProperty("schedule") JsonNode schedule,
            @JsonProperty("sampler") JsonNode sampler,
            @JsonProperty("conditioner") JsonNode conditioner,
            @JsonProperty("dataset") JsonNode dataset,
            @JsonProperty("evaluator") JsonNode evaluator) {
    }

    record OptimizerFile(
            @JsonProperty("lr") Double lr,
            @JsonProperty("warmup_steps") Long warmupSteps,
            @JsonProperty("lr_schedule") String lrSchedule,
            @JsonProperty("min_lr_ratio") Double minLrRatio,
            @JsonProperty("beta1") Double beta1,
            @JsonProperty("beta2") Double beta2,
            @JsonProperty("eps") Double eps,
            @JsonProperty("weight_decay") Double weightDecay,
            @JsonProperty("gradient_clip_norm") Double gradientClipNorm,
            @JsonProperty("ema_decay") Double emaDecay,
            @JsonProperty("ema_warmup") Boolean emaWarmup,
            @JsonProperty("accumulation_steps") Integer accumulationSteps) {
    }

    record TrainingFile(
            @JsonProperty("batch_size") Integer batchSize,
            @JsonProperty("checkpoint_every") Long checkpointEvery,
            @JsonProperty("sample_every") Long sampleEvery,
            @JsonProperty("log_every") Long logEvery,
            @JsonProperty("keep_checkpoints") Integer keepCheckpoints,
            @JsonProperty("devices") List<String> devices,
            @JsonProperty("data_workers") Integer dataWorkers,
            @JsonProperty("max_skipped_steps") Integer maxSkippedSteps) {
    }

    record SamplingFile(
            @JsonProperty("steps") Integer steps,
            @JsonProperty("guidance") Double guidance,
            @JsonProperty("count") Integer count,
            @JsonProperty("ema") Boolean ema,
            @JsonProperty("options") JsonNode options) {
    }

    record StageFile(
            @JsonProperty("name") String name,
            @JsonProperty("levels") Integer levels,
            @JsonProperty("steps") Long steps,
            @JsonProperty("freeze_inner_steps") Long freezeInnerSteps,
            @JsonProperty("mixed_ratio") String mixedRatio,
            @JsonProperty("batch_size") Integer batchSize,
            @JsonProperty("lr") Double lr) {
    }
}
