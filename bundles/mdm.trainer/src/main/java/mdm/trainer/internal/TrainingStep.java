package mdm.trainer.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import mdm.api.DjlRuntime;
import mdm.api.conditioning.Conditioner;
import mdm.api.data.EmbeddingOrigin;
import mdm.api.data.Sample;
import mdm.api.data.SampleStream;
import mdm.api.model.Backbone;
import mdm.api.model.CascadedBackbone;
import mdm.api.model.Conditioning;
import mdm.api.model.LatentBackbone;
import mdm.core.data.Batches;
import mdm.core.optim.AdamW;
import mdm.core.optim.ExponentialMovingAverage;
import mdm.core.optim.Gradients;
import mdm.core.random.HostRandom;
import mdm.core.tensor.AreaDownsample;
import mdm.core.tensor.Mosaic;
import mdm.diffusion.MultiResolutionProcess;
import mdm.diffusion.TrainingDraws;

/**
 * One optimiser step: data → conditioning → noising → forward → loss → backward (over the
 * accumulation micro-batches) → gradient norm → clipping → AdamW → EMA. A step whose loss or
 * gradient norm is not finite changes no weight: its gradients are reset and it reports itself
 * skipped.
 */
final class TrainingStep {
    /** What a step did: the mean loss, the loss per level, the gradient norm, and whether it was skipped. */
    record Result(double loss, double[] levels, double gradNorm, boolean skipped) {
    }

    private final Experiment exp;
    private final DjlRuntime runtime;
    private final Conditioner conditioner;
    private final SampleStream stream;
    private final HostRandom noiseRng;
    private final HostRandom dropoutRng;
    private final MultiResolutionProcess fullProcess;
    private final RunControl control;
    private long rejected;

    TrainingStep(Experiment exp, DjlRuntime runtime, Conditioner conditioner, SampleStream stream, HostRandom noiseRng,
                 HostRandom dropoutRng, MultiResolutionProcess fullProcess, RunControl control) {
        this.exp = exp;
        this.runtime = runtime;
        this.conditioner = conditioner;
        this.stream = stream;
        this.noiseRng = noiseRng;
        this.dropoutRng = dropoutRng;
        this.fullProcess = fullProcess;
        this.control = control;
    }

    Result run(StagePlan plan, MultiResolutionProcess process, DataParallel parallel, Map<String, NDArray> all,
               Set<String> frozen, AdamW adam, ExponentialMovingAverage ema, double lr, Backbone backbone) {
        var o = exp.spec.optimizer();
        int accumulation = o.accumulationSteps();
        double[] levelSums = new double[plan.levelScales().size()];
        double total = 0;
        try (NDManager step = runtime.newManager()) {
            for (int micro = 0; micro < accumulation; micro++) {
                List<Sample> samples = nextBatch(plan.batchSize());
                NDArray images = modelImages(samples, plan, step);
                boolean[] drop = process.conditionDropout(samples.size(), dropoutRng);
                try (GradientCollector collector = step.getEngine().newGradientCollector()) {
                    Conditioning cond = conditioner.encode(samples, drop, true, step);
                    if (backbone instanceof LatentBackbone latent) {
                        images = latent.encode(images, TrainingDraws.from(noiseRng)); // the diffusion's data: scaled latents
                    }
                    if (backbone instanceof CascadedBackbone cascade) {
                        // a super-resolution stage is conditioned on the batch itself, degraded
                        cond = cascade.trainingConditioning(images, cond, TrainingDraws.from(noiseRng), noiseRng::nextDouble);
                        images = cascade.diffusionData(images); // a residual stage diffuses what bilinear misses
                    }
                    DataParallel.Result r = parallel.backward(collector, process, images, cond,
                            TrainingDraws.from(noiseRng), plan.diffusion().numDiffusionSteps(), plan.sides(),
                            1.0 / accumulation, step);
                    total += r.total() / accumulation;
                    for (int l = 0; l < levelSums.length; l++) {
                        levelSums[l] += r.levels()[l] / accumulation;
                    }
                }
            }
            Map<String, NDArray> trainable = new LinkedHashMap<>(all);
            trainable.keySet().removeAll(frozen);
            Map<String, NDArray> grads = Gradients.of(trainable);
            double norm;
            boolean skipped;
            try {
                parallel.gather(grads, step);
                norm = Gradients.globalNorm(grads, step);
                skipped = !Double.isFinite(total) || !Double.isFinite(norm);
                if (skipped) {
                    Gradients.reset(grads, step);
                } else {
                    if (o.gradientClipNorm() > 0) {
                        Gradients.clip(grads, norm, o.gradientClipNorm(), step);
                    }
                    adam.step(trainable, grads, lr, step);
                    if (ema != null) {
                        ema.update(all, step);
                    }
                    Gradients.zero(grads, step);
                }
            } finally {
                Gradients.close(grads);
            }
            if (parallel.size() > 1) {
                parallel.broadcast();
            }
            return new Result(total, levelSums, norm, skipped);
        }
    }

    /**
     * The next n samples the conditioner accepts (e.g. captions within its token limit), as the reference's reader
     * drops the others. A sample carrying a precomputed caption embedding must carry this run's conditioner's own
     * (same conditioner, options, weights and training tokenisation): anything else would train on other
     * embeddings than sampling later feeds the model, so it stops the run with the way out.
     */
    List<Sample> nextBatch(int n) {
        List<Sample> batch = new ArrayList<>(n);
        while (batch.size() < n) {
            Sample s = stream.next();
            if (s.captionEmbedding() != null) {
                EmbeddingOrigin.requireUsable(conditioner.embeddingOrigin(true), exp.spec.conditioner().name(), s);
            }
            if (conditioner.acceptsForTraining(s)) {
                batch.add(s);
            } else if (++rejected == 1 || Long.bitCount(rejected) == 1) {
                control.event(rejected + " sample(s) skipped so far: the conditioner rejects them for training"
                        + " (e.g. " + s.id() + ", caption over the token limit)");
            }
        }
        return batch;
    }

    /**
     * The batch as the stage's network sees it: clips tiled into a mosaic, then the full model's
     * pyramid level where the stage's highest level sits (area down-sampling for images, kept
     * frames for temporal levels), so every stage trains on exactly what the whole model's inner
     * levels will see.
     */
    NDArray modelImages(List<Sample> samples, StagePlan plan, NDManager manager) {
        NDArray x = Batches.pixels(samples, manager);
        if (exp.frames > 1) {
            x = Mosaic.fromFrames(x, (int) Math.round(Math.sqrt(exp.frames)));
        }
        int skipped = exp.finalStage().levelScales().size() - plan.levelScales().size();
        x = skipped == 0 ? x : fullProcess.pyramid(x).get(skipped);
        if (plan.backboneName().equals(ExperimentResolver.CASCADE) && x.getShape().get(3) > plan.resolution()) {
            // each network of a cascade trains on the data at its own resolution
            x = AreaDownsample.apply(x, Math.toIntExact(x.getShape().get(3) / plan.resolution()));
        }
        return x;
    }
}
