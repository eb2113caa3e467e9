package mdm.trainer.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import mdm.api.DjlRuntime;
import mdm.api.MdmException;
import mdm.api.conditioning.Conditioner;
import mdm.api.data.Sample;
import mdm.api.data.SampleStream;
import mdm.api.data.StreamPosition;
import mdm.api.model.Backbone;
import mdm.api.model.Conditioning;
import mdm.api.train.Progress;
import mdm.core.config.Json;
import mdm.core.data.Batches;
import mdm.core.io.Safetensors;
import mdm.core.io.StateDicts;
import mdm.core.optim.AdamW;
import mdm.core.optim.ExponentialMovingAverage;
import mdm.core.optim.Gradients;
import mdm.core.optim.LearningRate;
import mdm.core.random.HostRandom;
import mdm.core.runtime.GradMode;
import mdm.core.tensor.Mosaic;
import mdm.core.tensor.Scalars;
import mdm.diffusion.MultiResolutionProcess;
import mdm.diffusion.TrainingDraws;
import mdm.diffusion.TrainingLoss;

/**
 * One training run of an experiment, all stages: the loop of data → conditioning → noising →
 * forward → loss → backward → clipping → AdamW → EMA, with checkpoints, metrics, loss curves and
 * sample grids. Every random choice comes from generators whose state the checkpoints keep, so a
 * resumed run continues exactly as an uninterrupted one would.
 */
final class TrainingRun {
    enum Outcome { COMPLETED, STOPPED }

    static final String CONDITIONER_PREFIX = "conditioner.";

    private final Experiment exp;
    private final DjlRuntime runtime;
    private final Path out;
    private final RunControl control;
    private final long[] stageSteps;
    private final CheckpointStore store;
    private final MetricsLog metrics;
    private final StepTimer timer = new StepTimer();
    private final long totalSteps;

    private Conditioner conditioner;
    private SampleStream stream;
    private HostRandom noiseRng;
    private HostRandom dropoutRng;
    private long globalStep;
    private final Map<String, double[]> logWindow = new LinkedHashMap<>();
    private double lastGradNorm;
    private long rejected;
    private NDManager longLived;
    private List<ai.djl.Device> devices;
    private MultiResolutionProcess fullProcess;
    private final TrainingEvaluation evaluation;

    /** @param stageSteps optimiser steps per stage (the spec's, or scaled by a --steps override) */
    TrainingRun(Experiment exp, DjlRuntime runtime, Path out, long[] stageSteps, RunControl control) {
        this(exp, runtime, out, stageSteps, control, null);
    }

    /** @param evaluation evaluation during training (the spec's evaluation section), or null */
    TrainingRun(Experiment exp, DjlRuntime runtime, Path out, long[] stageSteps, RunControl control,
                TrainingEvaluation evaluation) {
        this.evaluation = evaluation;
        this.exp = exp;
        this.runtime = runtime;
        this.out = out;
        this.control = control;
        this.stageSteps = stageSteps.clone();
        this.store = new CheckpointStore(out);
        this.metrics = new MetricsLog(out);
        long total = 0;
        for (long s : stageSteps) {
            total += s;
        }
        this.totalSteps = total;
    }

    Outcome run(boolean resume) {
        GradMode.disable();
        try {
            Files.createDirectories(out);
            Files.writeString(out.resolve(CheckpointStore.EXPERIMENT), Json.write(experimentRecord(null)));
        } catch (IOException e) {
            throw new MdmException("cannot write to the output folder " + out + ": " + e.getMessage(), e);
        }
        Optional<Path> latest = resume ? store.latest() : Optional.empty();
        if (resume && latest.isEmpty()) {
            control.event("no checkpoint in " + out + ": starting from the beginning");
        }
        try (NDManager runManager = runtime.newManager()) {
            longLived = runManager;
            long seed = exp.spec.seed();
            fullProcess = exp.finalStage().process(exp.schedule.service(), exp.frames);
            devices = Devices.resolve(exp.spec.training().devices(), runtime);
            conditioner = exp.conditioner.service().create(exp.spec.conditioner().options(), exp.data, runManager, seed);
            HostRandom root = new HostRandom(seed);
            noiseRng = root.fork("noise");
            dropoutRng = root.fork("dropout");
            StreamPosition position = StreamPosition.START;
            int stage = 0;
            long stageStep = 0;
            Resumed resumed = null;
            if (latest.isPresent()) {
                resumed = Resumed.read(latest.get(), runManager);
                JsonNode s = resumed.state;
                checkSameExperiment(resumed.experiment);
                stage = s.get("stage").asInt();
                stageStep = s.get("stage_step").asLong();
                globalStep = s.get("global_step").asLong();
                noiseRng = new HostRandom(s.at("/noise_rng/0").asLong(), s.at("/noise_rng/1").asLong());
                dropoutRng = new HostRandom(s.at("/dropout_rng/0").asLong(), s.at("/dropout_rng/1").asLong());
                position = new StreamPosition(s.at("/data/epoch").asLong(), s.at("/data/index").asLong());
                if (!resumed.conditioner.isEmpty()) {
                    StateDicts.loadStrict(resumed.conditioner, conditioner.parameters());
                }
                control.event("resumed from " + latest.get().getFileName() + " (step " + globalStep + ")");
            }
            metrics.open(resumed != null ? globalStep : -1);
            stream = exp.dataset.service().open(exp.spec.dataset().options(), seed, position);
            try {
                Inherited previous = null;
                if (resumed != null && stageStep >= stageSteps[stage]) {
                    previous = new Inherited(resumed.model, resumed.ema);
                    stage++;
                    stageStep = 0;
                    resumed = null;
                }
                for (; stage < exp.stages.size(); stage++) {
                    StagePlan plan = exp.stages.get(stage);
                    StageResult result = runStage(plan, stageStep, resumed, previous, runManager);
                    if (result.outcome == Outcome.STOPPED) {
                        return Outcome.STOPPED;
                    }
                    previous = result.inherited;
                    resumed = null;
                    stageStep = 0;
                }
            } finally {
                stream.close();
                conditioner.close();
                LossCurves.write(metrics.records(), out);
                metrics.close();
            }
        }
        return Outcome.COMPLETED;
    }

    /** The weights a stage hands to the next one (copies that outlive the stage's manager). */
    private record Inherited(Map<String, NDArray> model, Map<String, NDArray> ema) {
    }

    private record StageResult(Outcome outcome, Inherited inherited) {
    }

    private StageResult runStage(StagePlan plan, long startStep, Resumed resumed, Inherited previous,
                                 NDManager longLived) {
        long steps = stageSteps[plan.index()];
        control.event("stage " + (plan.index() + 1) + "/" + exp.stages.size() + " '" + plan.spec().name() + "': "
                + plan.backboneName() + " at " + plan.sides() + ", " + steps + " steps, batch " + plan.batchSize());
        try (NDManager stageManager = runtime.newManager()) {
            Backbone backbone = plan.factory().create(plan.config(), stageManager,
                    exp.spec.seed() * 1_000_003L + plan.index());
            Map<String, NDArray> params = backbone.parameters();
            if (resumed != null) {
                StateDicts.loadStrict(resumed.model, params);
            } else if (previous != null) {
                StateDicts.loadStrict(previous.model, StateDicts.withPrefix(params, plan.inherited()));
            }
            MultiResolutionProcess process = plan.process(exp.schedule.service(), exp.frames);
            try (DataParallel parallel = new DataParallel(devices, plan, backbone, runtime, exp.spec.seed())) {
                var o = exp.spec.optimizer();
                AdamW adam = new AdamW(new AdamW.Settings(o.beta1(), o.beta2(), o.eps(), o.weightDecay()), stageManager);
                Map<String, NDArray> all = allParameters(params);
                ExponentialMovingAverage ema = o.emaDecay() > 0
                        ? new ExponentialMovingAverage(o.emaDecay(), o.emaWarmup(), all, stageManager) : null;
                if (resumed != null) {
                    Map<String, Long> counts = new LinkedHashMap<>();
                    resumed.state.path("optimizer_steps").fields()
                            .forEachRemaining(e -> counts.put(e.getKey(), e.getValue().asLong()));
                    adam.restore(resumed.optimizer, counts);
                    if (ema != null && !resumed.ema.isEmpty()) {
                        Map<String, NDArray> emaValues = new LinkedHashMap<>(resumed.ema);
                        resumed.conditionerEma.forEach((k, v) -> emaValues.put(CONDITIONER_PREFIX + k, v));
                        ema.restore(emaValues, resumed.state.path("ema_updates").asLong());
                    }
                } else if (ema != null && previous != null && previous.ema != null) {
                    Map<String, NDArray> inheritedEma = new LinkedHashMap<>();
                    previous.ema.forEach((k, v) -> inheritedEma.put(plan.inherited() + k, v));
                    restorePartial(ema, inheritedEma);
                }
                double lr = plan.spec().lr() > 0 ? plan.spec().lr() : o.lr();
                LearningRate schedule = new LearningRate(lr, o.warmupSteps(), LearningRate.Decay.parse(o.lrSchedule()),
                        steps, o.minLrRatio());

                Set<String> frozen = null;
                for (long stageStep = startStep; stageStep < steps; ) {
                    String stop = control.stopRequested();
                    if (stop != null) {
                        Path ckpt = checkpoint(plan, stageStep, backbone, adam, ema);
                        control.event("stopped at step " + globalStep + " (" + stop + "); checkpoint " + ckpt);
                        return new StageResult(Outcome.STOPPED, null);
                    }
                    Set<String> nowFrozen = frozen(plan, stageStep, backbone);
                    if (!nowFrozen.equals(frozen)) {
                        setTrainable(all, nowFrozen);
                        parallel.broadcast();
                        if (frozen != null) {
                            control.event("step " + globalStep + ": inherited parameters unfrozen");
                        }
                        frozen = nowFrozen;
                    }
                    long started = System.nanoTime();
                    double currentLr = schedule.at(stageStep + 1);
                    trainStep(plan, process, parallel, all, frozen, adam, ema, currentLr);
                    stageStep++;
                    globalStep++;
                    timer.record(System.nanoTime() - started,
                            (long) plan.batchSize() * o.accumulationSteps());
                    afterStep(plan, stageStep, steps, currentLr, backbone, adam, ema, process, stageManager);
                }
                checkpoint(plan, steps, backbone, adam, ema);
                if (plan.index() == exp.stages.size() - 1) {
                    sampleGrid(plan, process, backbone, ema, "final");
                    return new StageResult(Outcome.COMPLETED, null);
                }
                return new StageResult(Outcome.COMPLETED, new Inherited(copy(params, longLived),
                        ema == null ? null : copy(backboneOnly(ema.parameters()), longLived)));
            }
        }
    }

    private void trainStep(StagePlan plan, MultiResolutionProcess process, DataParallel parallel,
                           Map<String, NDArray> all, Set<String> frozen, AdamW adam, ExponentialMovingAverage ema,
                           double lr) {
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
            try {
                parallel.gather(grads, step);
                double norm = Gradients.globalNorm(grads, step);
                if (!Double.isFinite(total) || !Double.isFinite(norm)) {
                    control.event("step " + (globalStep + 1) + ": loss or gradient is not finite; step skipped");
                    Gradients.reset(grads);
                } else {
                    lastGradNorm = norm;
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
        }
        List<Integer> sides = plan.sides();
        accumulate("loss", total);
        for (int l = 0; l < levelSums.length; l++) {
            accumulate(Integer.toString(sides.get(l)), levelSums[l]);
        }
    }

    private void afterStep(StagePlan plan, long stageStep, long steps, double lr, Backbone backbone, AdamW adam,
                           ExponentialMovingAverage ema, MultiResolutionProcess process, NDManager stageManager) {
        var t = exp.spec.training();
        Map<String, Double> levels = new LinkedHashMap<>();
        for (int side : plan.sides()) {
            levels.put(Integer.toString(side), mean(Integer.toString(side)));
        }
        double remaining = (totalSteps - globalStep) * timer.secondsPerStep();
        control.progress(new Progress(plan.spec().name(), globalStep, totalSteps, mean("loss"), levels, lr,
                timer.imagesPerSecond(), remaining, null));
        if (globalStep % t.logEvery() == 0 || stageStep == steps) {
            ObjectNode record = Json.empty();
            record.put("step", globalStep);
            record.put("stage", plan.spec().name());
            record.put("loss", mean("loss"));
            ObjectNode lv = record.putObject("levels");
            levels.forEach(lv::put);
            record.put("lr", lr);
            record.put("grad_norm", lastGradNorm);
            record.put("images_per_second", timer.imagesPerSecond());
            // tensors held by the stage and the run: constant within a stage, or something leaks
            record.put("live_arrays", stageManager.getManagedArrays().size() + longLived.getManagedArrays().size());
            metrics.append(record);
            logWindow.clear();
        }
        if (globalStep % t.checkpointEvery() == 0 && stageStep < steps) {
            checkpoint(plan, stageStep, backbone, adam, ema);
        }
        if (t.sampleEvery() > 0 && globalStep % t.sampleEvery() == 0 && globalStep < totalSteps) {
            sampleGrid(plan, process, backbone, ema, String.format("step-%08d", globalStep));
        }
        if (evaluation != null && evaluation.due(globalStep, totalSteps)) {
            evaluate(plan, stageStep, process, backbone, ema);
        }
    }

    private void evaluate(StagePlan plan, long stageStep, MultiResolutionProcess process, Backbone backbone,
                          ExponentialMovingAverage ema) {
        try {
            ObjectNode record = evaluation.run(exp, plan, globalStep, stageStep, process, backbone, conditioner, ema, runtime);
            metrics.append(record);
            QualityCurves.write(metrics.records(), out);
            control.event("quality at step " + globalStep + " (" + record.path("quality_n").asInt() + " images): "
                    + record.path("quality").toString());
        } catch (RuntimeException e) {
            // a failed evaluation must not cost the training run
            control.event("evaluation at step " + globalStep + " failed: " + e.getMessage());
        }
    }

    private void accumulate(String key, double value) {
        double[] w = logWindow.computeIfAbsent(key, k -> new double[2]);
        w[0] += value;
        w[1]++;
    }

    private double mean(String key) {
        double[] w = logWindow.get(key);
        return w == null || w[1] == 0 ? Double.NaN : w[0] / w[1];
    }

    /** The next n samples the conditioner accepts (e.g. captions within its token limit), as the reference's reader drops the others. */
    private List<Sample> nextBatch(int n) {
        List<Sample> batch = new ArrayList<>(n);
        while (batch.size() < n) {
            Sample s = stream.next();
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
    private NDArray modelImages(List<Sample> samples, StagePlan plan, NDManager manager) {
        NDArray x = Batches.pixels(samples, manager);
        if (exp.frames > 1) {
            x = Mosaic.fromFrames(x, (int) Math.round(Math.sqrt(exp.frames)));
        }
        int skipped = exp.finalStage().levelScales().size() - plan.levelScales().size();
        return skipped == 0 ? x : fullProcess.pyramid(x).get(skipped);
    }

    private Map<String, NDArray> allParameters(Map<String, NDArray> backboneParams) {
        Map<String, NDArray> all = new LinkedHashMap<>(backboneParams);
        conditioner.parameters().forEach((k, v) -> all.put(CONDITIONER_PREFIX + k, v));
        return all;
    }

    private Set<String> frozen(StagePlan plan, long stageStep, Backbone backbone) {
        Set<String> frozen = new HashSet<>(backbone.frozen());
        String prefix = plan.inherited();
        if (prefix != null && !prefix.isEmpty() && stageStep < plan.spec().freezeInnerSteps()) {
            backbone.parameters().keySet().stream().filter(k -> k.startsWith(prefix)).forEach(frozen::add);
        }
        return frozen;
    }

    private static void setTrainable(Map<String, NDArray> all, Set<String> frozen) {
        all.forEach((k, p) -> p.setRequiresGradient(!frozen.contains(k)));
    }

    private Path checkpoint(StagePlan plan, long stageStep, Backbone backbone, AdamW adam,
                            ExponentialMovingAverage ema) {
        ObjectNode state = Json.empty();
        state.put("global_step", globalStep);
        state.put("stage", plan.index());
        state.put("stage_name", plan.spec().name());
        state.put("stage_step", stageStep);
        state.put("stage_steps", stageSteps[plan.index()]);
        state.putArray("noise_rng").add(noiseRng.seed()).add(noiseRng.counter());
        state.putArray("dropout_rng").add(dropoutRng.seed()).add(dropoutRng.counter());
        ObjectNode data = state.putObject("data");
        StreamPosition p = stream.position();
        data.put("epoch", p.epoch());
        data.put("index", p.index());
        ObjectNode steps = state.putObject("optimizer_steps");
        adam.stepCounts().forEach(steps::put);
        state.put("ema_updates", ema == null ? 0 : ema.updates());
        state.put("final", globalStep == totalSteps);
        Map<String, NDArray> emaAll = ema == null ? Map.of() : ema.parameters();
        Path written = store.write(globalStep, new CheckpointStore.Contents(experimentRecord(plan), state,
                backbone.parameters(), backboneOnly(emaAll), adam.stateTensors(), conditioner.parameters(),
                conditionerOnly(emaAll)));
        store.prune(exp.spec.training().keepCheckpoints(), null);
        LossCurves.write(metrics.records(), out);
        control.event("checkpoint " + written);
        return written;
    }

    private static Map<String, NDArray> backboneOnly(Map<String, NDArray> all) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        all.forEach((k, v) -> {
            if (!k.startsWith(CONDITIONER_PREFIX)) {
                out.put(k, v);
            }
        });
        return out;
    }

    private static Map<String, NDArray> conditionerOnly(Map<String, NDArray> all) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        all.forEach((k, v) -> {
            if (k.startsWith(CONDITIONER_PREFIX)) {
                out.put(k.substring(CONDITIONER_PREFIX.length()), v);
            }
        });
        return out;
    }

    /** Copies of the arrays, owned by {@code manager} (they outlive the arrays' own managers). */
    static Map<String, NDArray> copy(Map<String, NDArray> source, NDManager manager) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        source.forEach((k, v) -> {
            NDArray c = v.duplicate();
            c.attach(manager);
            out.put(k, c);
        });
        return out;
    }

    private static void restorePartial(ExponentialMovingAverage ema, Map<String, NDArray> values) {
        Map<String, NDArray> shadow = ema.parameters();
        values.forEach((k, v) -> {
            NDArray target = shadow.get(k);
            if (target != null) {
                target.set(v.toType(target.getDataType(), false).toByteBuffer());
            }
        });
    }

    /** The run's record of what it is: the spec as written, the resolved stage, the components' bundles. */
    private JsonNode experimentRecord(StagePlan plan) {
        ObjectNode e = Json.empty();
        e.set("spec", Json.tree(exp.spec.source()));
        // the model and diffusion sections as trained, imports resolved: enough to rebuild without the spec's files
        e.set("model_section", Json.tree(exp.spec.model()));
        e.set("diffusion_section", Json.tree(exp.spec.diffusion()));
        e.put("image_size", exp.imageSize);
        e.put("frames", exp.frames);
        e.put("conditioning_dim", exp.conditioningDim);
        ObjectNode origins = e.putObject("components");
        exp.origins().forEach(origins::put);
        if (plan != null) {
            e.put("stage", plan.index());
            e.put("backbone", plan.backboneName());
            e.set("model", Json.tree(plan.config().toOptions()));
            e.put("resolution", plan.resolution());
            ObjectNode steps = e.putObject("stage_steps");
            for (StagePlan s : exp.stages) {
                steps.put(s.spec().name(), stageSteps[s.index()]);
            }
        }
        return e;
    }

    /** A resumed run must be the same experiment; only step counts may change. */
    private void checkSameExperiment(JsonNode saved) {
        JsonNode before = saved.path("spec");
        JsonNode now = Json.tree(exp.spec.source());
        for (String section : new String[] {"components", "model", "diffusion", "import"}) {
            if (!before.path(section).equals(now.path(section))) {
                throw new MdmException("the spec's '" + section + "' section differs from the run being resumed in "
                        + out + ": resume with the spec it was started with, or train into a new output folder");
            }
        }
        if (before.path("stages").size() != now.path("stages").size()) {
            throw new MdmException("the spec has " + now.path("stages").size() + " stages but the run in " + out
                    + " has " + before.path("stages").size() + ": resume with the same stages");
        }
    }

    private void sampleGrid(StagePlan plan, MultiResolutionProcess process, Backbone backbone,
                            ExponentialMovingAverage ema, String label) {
        try {
            SampleWriter.Result r = SampleWriter.duringTraining(exp, plan, process, backbone, conditioner, ema,
                    out.resolve("samples"), label, runtime);
            ObjectNode record = Json.empty();
            record.put("step", globalStep);
            record.put("stage", plan.spec().name());
            record.put("samples", r.grid().toString());
            if (r.scores() != null) {
                ObjectNode scores = record.putObject("eval");
                r.scores().forEach(scores::put);
            }
            metrics.append(record);
            control.event("samples " + r.grid() + (r.scores() == null ? "" : " " + SampleWriter.format(r.scores())));
        } catch (RuntimeException e) {
            // a failed grid must not cost the training run
            control.event("sample grid at step " + globalStep + " failed: " + e.getMessage());
        }
    }

    /** A checkpoint read back for resuming. */
    private static final class Resumed {
        JsonNode experiment;
        JsonNode state;
        Map<String, NDArray> model;
        Map<String, NDArray> ema;
        Map<String, NDArray> optimizer;
        Map<String, NDArray> conditioner;
        Map<String, NDArray> conditionerEma;

        static Resumed read(Path dir, NDManager manager) {
            Resumed r = new Resumed();
            r.experiment = Json.read(dir.resolve(CheckpointStore.EXPERIMENT));
            r.state = Json.read(dir.resolve(CheckpointStore.STATE));
            r.model = tensors(dir.resolve(CheckpointStore.MODEL), manager);
            r.ema = tensors(dir.resolve(CheckpointStore.EMA), manager);
            r.optimizer = tensors(dir.resolve(CheckpointStore.OPTIMIZER), manager);
            r.conditioner = tensors(dir.resolve(CheckpointStore.CONDITIONER), manager);
            r.conditionerEma = tensors(dir.resolve(CheckpointStore.CONDITIONER_EMA), manager);
            return r;
        }

        private static Map<String, NDArray> tensors(Path file, NDManager manager) {
            return Files.exists(file) ? Safetensors.read(file, manager) : Map.of();
        }
    }
}
