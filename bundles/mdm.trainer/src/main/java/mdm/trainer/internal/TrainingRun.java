package mdm.trainer.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.ArrayList;
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
import mdm.api.model.CascadedBackbone;
import mdm.api.model.LatentBackbone;
import mdm.api.model.SelfTrainedBackbone;
import mdm.api.train.Progress;
import mdm.core.config.Json;
import mdm.core.io.AtomicFiles;
import mdm.core.io.StateDicts;
import mdm.core.optim.AdamW;
import mdm.core.optim.ExponentialMovingAverage;
import mdm.core.optim.LearningRate;
import mdm.core.random.HostRandom;
import mdm.core.runtime.GradMode;
import mdm.core.tensor.FlopCount;
import mdm.core.tensor.NativeArrays;
import mdm.diffusion.MultiResolutionProcess;
import mdm.diffusion.TrainingDraws;

/**
 * One training run of an experiment, all stages: where to start ({@link RunPlan}), the stages with
 * their optimiser steps ({@link TrainingStep}), checkpoints ({@link CheckpointStore}, whose state is a
 * {@link CheckpointState}), metrics, loss curves and sample grids. Every random choice comes from
 * generators whose state the checkpoints keep, so a resumed run continues exactly as an
 * uninterrupted one would. Steps whose loss or gradient is not finite are skipped and counted; too
 * many in a row end the run ({@link Divergence}); a checkpoint is never written with non-finite weights.
 */
final class TrainingRun {
    enum Outcome { COMPLETED, STOPPED }

    static final String CONDITIONER_PREFIX = "conditioner.";
    static final int LATENT_SCALE_IMAGES = 256;

    private final Experiment exp;
    private final DjlRuntime runtime;
    private final Path out;
    private final RunControl control;
    private final long[] requestedSteps;
    private final CheckpointStore store;
    private final MetricsLog metrics;
    private final StepTimer timer = new StepTimer();
    private final TrainingEvaluation evaluation;

    private long[] stageSteps;
    private long totalSteps;
    private Conditioner conditioner;
    private SampleStream stream;
    private HostRandom noiseRng;
    private HostRandom dropoutRng;
    private TrainingStep step;
    private Divergence divergence;
    private long globalStep;
    private long lastCheckpointStep = -1;
    private final Map<String, double[]> logWindow = new LinkedHashMap<>();
    private double lastGradNorm;
    /** Training GFLOP of one optimiser step of the current stage, once its first step has been counted. */
    private double stageGflop = Double.NaN;
    private NDManager longLived;
    private List<ai.djl.Device> devices;

    /** @param stageSteps optimiser steps per stage (the spec's, or scaled by a --steps override) */
    TrainingRun(Experiment exp, DjlRuntime runtime, Path out, long[] stageSteps, RunControl control) {
        this(exp, runtime, out, stageSteps, control, null);
    }

    /** @param evaluation evaluation during training (the spec's evaluation section), or null */
    TrainingRun(Experiment exp, DjlRuntime runtime, Path out, long[] stageSteps, RunControl control,
                TrainingEvaluation evaluation) {
        this(exp, runtime, out, stageSteps, control, evaluation, new CheckpointStore(out));
    }

    /** @param store where checkpoints go (a test may hand one that fails) */
    TrainingRun(Experiment exp, DjlRuntime runtime, Path out, long[] stageSteps, RunControl control,
                TrainingEvaluation evaluation, CheckpointStore store) {
        this.evaluation = evaluation;
        this.exp = exp;
        this.runtime = runtime;
        this.out = out;
        this.control = new EventLog(control, out);
        this.requestedSteps = stageSteps.clone();
        this.store = store;
        this.metrics = new MetricsLog(out);
    }

    Outcome run(boolean resume) {
        GradMode.disable();
        List<String> removed = store.cleanLeftovers();
        if (!removed.isEmpty()) {
            control.event("removed what an interrupted run left in " + out + ": " + String.join(", ", removed));
        }
        Optional<CheckpointStore.Usable> usable = resume ? store.newestUsable() : Optional.empty();
        if (resume && usable.isEmpty()) {
            control.event("no checkpoint in " + out + ": starting from the beginning");
        }
        usable.filter(u -> !u.passedOver().isEmpty()).ifPresent(u -> control.event("cannot resume from "
                + String.join("; ", u.passedOver()) + ": resuming from the previous good checkpoint "
                + u.folder().getFileName() + " instead"));
        RunPlan plan = usable.map(u -> RunPlan.resumed(requestedSteps, u.state(), out))
                .orElseGet(() -> RunPlan.fresh(requestedSteps));
        stageSteps = plan.stageSteps();
        totalSteps = plan.total();
        AtomicFiles.writeString(out.resolve(CheckpointStore.EXPERIMENT), Json.write(experimentRecord(null)));
        try (NDManager runManager = runtime.newManager()) {
            longLived = runManager;
            long seed = exp.spec.seed();
            MultiResolutionProcess fullProcess = exp.finalStage().process(exp.schedule.service(), exp.frames);
            devices = Devices.resolve(exp.spec.training().devices(), runtime);
            conditioner = exp.conditioner.service().create(exp.spec.conditioner().options(), exp.data, runManager, seed);
            HostRandom root = new HostRandom(seed);
            noiseRng = root.fork("noise");
            dropoutRng = root.fork("dropout");
            StreamPosition position = StreamPosition.START;
            LoadedCheckpoint resumed = null;
            long skippedBefore = 0;
            if (usable.isPresent()) {
                resumed = LoadedCheckpoint.read(usable.get(), runManager);
                CheckpointState s = resumed.state();
                checkSameExperiment(resumed.experiment());
                globalStep = s.globalStep();
                lastCheckpointStep = globalStep;
                skippedBefore = s.skippedSteps();
                noiseRng = new HostRandom(s.noiseRng().get(0), s.noiseRng().get(1));
                dropoutRng = new HostRandom(s.dropoutRng().get(0), s.dropoutRng().get(1));
                position = new StreamPosition(s.data().epoch(), s.data().index());
                if (!resumed.conditioner().isEmpty()) {
                    StateDicts.loadStrict(resumed.conditioner(), conditioner.parameters());
                }
                control.event("resumed from " + resumed.folder().getFileName() + " (step " + globalStep + " of "
                        + totalSteps + ")");
            }
            divergence = new Divergence(exp.spec.training().maxSkippedSteps(), skippedBefore);
            metrics.open(resumed != null ? globalStep : -1);
            stream = exp.dataset.service().open(exp.spec.dataset().options(), seed, position);
            step = new TrainingStep(exp, runtime, conditioner, stream, noiseRng, dropoutRng, fullProcess, control);
            try {
                Inherited previous = null;
                int stage = plan.stage();
                long stageStep = plan.stageStep();
                if (resumed != null && stage > resumed.state().stage()) {
                    // the checkpoint ended its stage: the next one inherits its weights
                    previous = new Inherited(resumed.model(), resumed.ema());
                    resumed = null;
                }
                if (stage >= exp.stages.size()) {
                    control.event("the run in " + out + " has already done its " + totalSteps + " steps");
                }
                for (; stage < exp.stages.size(); stage++) {
                    StageResult result = runStage(exp.stages.get(stage), stageStep, resumed, previous, runManager);
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
        if (globalStep != totalSteps) {
            throw new MdmException("the run ended at step " + globalStep + " of the " + totalSteps + " planned");
        }
        return Outcome.COMPLETED;
    }

    /** The weights a stage hands to the next one (copies that outlive the stage's manager). */
    private record Inherited(Map<String, NDArray> model, Map<String, NDArray> ema) {
    }

    private record StageResult(Outcome outcome, Inherited inherited) {
    }

    /** What a stage trains with. */
    private record Trained(StagePlan plan, Backbone backbone, AdamW adam, ExponentialMovingAverage ema) {
    }

    private StageResult runStage(StagePlan plan, long startStep, LoadedCheckpoint resumed, Inherited previous,
                                 NDManager longLived) {
        long steps = stageSteps[plan.index()];
        control.event("stage " + (plan.index() + 1) + "/" + exp.stages.size() + " '" + plan.spec().name() + "': "
                + plan.backboneName() + " at " + plan.sides() + ", " + steps + " steps, batch " + plan.batchSize());
        stageGflop = Double.NaN;
        try (NDManager stageManager = runtime.newManager()) {
            Backbone backbone = plan.factory().create(plan.config(), stageManager,
                    exp.spec.seed() * 1_000_003L + plan.index());
            Map<String, NDArray> params = backbone.parameters();
            if (resumed != null) {
                StateDicts.loadStrict(resumed.model(), params);
            } else if (previous != null) {
                StateDicts.loadStrict(inheritedWeights(backbone, previous), StateDicts.withPrefix(params, plan.inherited()));
            } else if (plan.pretrained() != null) {
                Map<String, NDArray> target = StateDicts.withPrefix(params, plan.inherited());
                StateDicts.loadStrict(AutoencoderReference.weights(plan.pretrained(), target, stageManager), target);
                control.event("autoencoder from " + plan.pretrained() + " (its EMA weights where it has them), frozen");
            }
            if (backbone instanceof LatentBackbone latent && !latent.scaleMeasured()) {
                measureLatentScale(plan, latent, stageManager); // before the EMA copies the parameters
            }
            MultiResolutionProcess process = plan.process(exp.schedule.service(), exp.frames);
            try (DataParallel parallel = new DataParallel(devices, plan, backbone, runtime, exp.spec.seed())) {
                var o = exp.spec.optimizer();
                AdamW adam = new AdamW(new AdamW.Settings(o.beta1(), o.beta2(), o.eps(), o.weightDecay()), stageManager);
                Map<String, NDArray> all = allParameters(params);
                ExponentialMovingAverage ema = o.emaDecay() > 0
                        ? new ExponentialMovingAverage(o.emaDecay(), o.emaWarmup(), all, stageManager) : null;
                if (resumed != null) {
                    CheckpointState s = resumed.state();
                    adam.restore(resumed.optimizer(), s.optimizerSteps() == null ? Map.of() : s.optimizerSteps());
                    if (ema != null && !resumed.ema().isEmpty()) {
                        Map<String, NDArray> emaValues = new LinkedHashMap<>(resumed.ema());
                        resumed.conditionerEma().forEach((k, v) -> emaValues.put(CONDITIONER_PREFIX + k, v));
                        ema.restore(emaValues, s.emaUpdates());
                    }
                } else if (ema != null && previous != null && previous.ema != null) {
                    Map<String, NDArray> inheritedEma = new LinkedHashMap<>();
                    previous.ema.forEach((k, v) -> inheritedEma.put(plan.inherited() + k, v));
                    restorePartial(ema, inheritedEma);
                }
                Trained t = new Trained(plan, backbone, adam, ema);
                double lr = plan.spec().lr() > 0 ? plan.spec().lr() : o.lr();
                LearningRate schedule = new LearningRate(lr, o.warmupSteps(), LearningRate.Decay.parse(o.lrSchedule()),
                        steps, o.minLrRatio());

                Set<String> frozen = null;
                for (long stageStep = startStep; stageStep < steps; ) {
                    String stop = control.stopRequested();
                    if (stop != null) {
                        Path ckpt = checkpoint(t, stageStep);
                        control.event("stopped at step " + globalStep + " (" + stop + ")"
                                + (ckpt == null ? "" : "; checkpoint " + ckpt));
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
                    TrainingStep.Result r;
                    if (Double.isNaN(stageGflop) && parallel.size() == 1) {
                        // the first step of a stage counts its forward FLOPs (× 3 with the backward pass)
                        try (FlopCount count = FlopCount.start()) {
                            r = step.run(plan, process, parallel, all, frozen, adam, ema, currentLr, backbone);
                            stageGflop = 3 * count.flops() / 1e9;
                        }
                    } else {
                        r = step.run(plan, process, parallel, all, frozen, adam, ema, currentLr, backbone);
                    }
                    stageStep++;
                    globalStep++;
                    record(plan, r);
                    if (r.skipped()) {
                        control.event("step " + globalStep + ": loss or gradient is not finite (loss "
                                + r.loss() + ", gradient norm " + r.gradNorm() + "); step skipped");
                    }
                    divergence.record(r.skipped());
                    timer.record(System.nanoTime() - started,
                            (long) plan.batchSize() * o.accumulationSteps());
                    afterStep(t, stageStep, steps, currentLr, process, stageManager);
                    divergence.failIfDiverged(globalStep, r.loss(), currentLr, lastCheckpointStep);
                }
                if (checkpoint(t, steps) == null) {
                    throw new MdmException("the weights are not finite at step " + globalStep
                            + ", so no checkpoint was written; " + (lastCheckpointStep < 0
                            ? "no checkpoint was written before" : "the last good checkpoint is step " + lastCheckpointStep)
                            + "; lower the learning rate (now " + lr + ")");
                }
                if (plan.index() == exp.stages.size() - 1) {
                    if (!(backbone instanceof SelfTrainedBackbone)) { // an autoencoder trained alone has nothing to sample
                        sampleGrid(plan, process, backbone, ema, "final");
                    }
                    return new StageResult(Outcome.COMPLETED, null);
                }
                return new StageResult(Outcome.COMPLETED, new Inherited(copy(params, longLived),
                        ema == null ? null : copy(backboneOnly(ema.parameters()), longLived)));
            }
        }
    }

    private void record(StagePlan plan, TrainingStep.Result r) {
        if (!r.skipped()) {
            lastGradNorm = r.gradNorm();
        }
        accumulate("loss", r.loss());
        List<Integer> sides = plan.sides();
        for (int l = 0; l < r.levels().length; l++) {
            accumulate(Integer.toString(sides.get(l)), r.levels()[l]);
        }
    }

    private void afterStep(Trained t, long stageStep, long steps, double lr, MultiResolutionProcess process,
                           NDManager stageManager) {
        StagePlan plan = t.plan();
        var s = exp.spec.training();
        Map<String, Double> levels = new LinkedHashMap<>();
        for (int side : plan.sides()) {
            levels.put(Integer.toString(side), mean(Integer.toString(side)));
        }
        double remaining = (totalSteps - globalStep) * timer.secondsPerStep();
        control.progress(new Progress(plan.spec().name(), globalStep, totalSteps, mean("loss"), levels, lr,
                timer.imagesPerSecond(), remaining, null));
        if (globalStep % s.logEvery() == 0 || stageStep == steps) {
            ObjectNode record = Json.empty();
            record.put("step", globalStep);
            record.put("stage", plan.spec().name());
            record.put("loss", mean("loss"));
            ObjectNode lv = record.putObject("levels");
            levels.forEach(lv::put);
            record.put("lr", lr);
            record.put("grad_norm", lastGradNorm);
            record.put("images_per_second", timer.imagesPerSecond());
            if (divergence.total() > 0) {
                record.put("skipped_steps", divergence.total());
            }
            if (!Double.isNaN(stageGflop)) {
                record.put("gflop_per_step", stageGflop);
            }
            // tensors held by the stage and the run: constant within a stage, or something leaks
            record.put("live_arrays", stageManager.getManagedArrays().size() + longLived.getManagedArrays().size());
            metrics.append(record);
            logWindow.clear();
        }
        // no periodic checkpoint right after a skipped step: the last good one stays the newest
        if (globalStep % s.checkpointEvery() == 0 && stageStep < steps && divergence.consecutive() == 0) {
            checkpoint(t, stageStep);
        }
        boolean samples = !(t.backbone() instanceof SelfTrainedBackbone); // an autoencoder stage has nothing to sample
        if (samples && s.sampleEvery() > 0 && globalStep % s.sampleEvery() == 0 && globalStep < totalSteps) {
            sampleGrid(plan, process, t.backbone(), t.ema(), String.format("step-%08d", globalStep));
        }
        if (samples && evaluation != null && evaluation.due(globalStep, totalSteps)) {
            evaluate(plan, stageStep, process, t.backbone(), t.ema());
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

    /**
     * What a stage starts its inherited part from: the previous stage's weights, or for a cascade
     * (whose lower stages stay frozen from then on, and are sampled as they are) their EMA.
     */
    private static Map<String, NDArray> inheritedWeights(Backbone backbone, Inherited previous) {
        boolean frozenFromNowOn = backbone instanceof CascadedBackbone || backbone instanceof LatentBackbone;
        return frozenFromNowOn && previous.ema() != null ? previous.ema() : previous.model();
    }

    /**
     * LDM's scale factor: 1 / std of the autoencoder's latents of the first training images the
     * stage draws (at least 256), so that the diffusion sees unit-variance data.
     */
    private void measureLatentScale(StagePlan plan, LatentBackbone latent, NDManager manager) {
        try (NDManager m = manager.newSubManager()) {
            List<NDArray> batches = new ArrayList<>();
            int n = 0;
            while (n < LATENT_SCALE_IMAGES) {
                List<Sample> samples = step.nextBatch(plan.batchSize());
                batches.add(step.modelImages(samples, plan, m));
                n += samples.size();
            }
            NDArray images = ai.djl.ndarray.NDArrays.concat(new ai.djl.ndarray.NDList(batches.toArray(new NDArray[0])));
            double factor = latent.measureScale(images, TrainingDraws.from(noiseRng));
            control.event(String.format("latent scale factor %.5f (1 / std of the latents of %d training images)", factor, n));
        }
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

    /** Writes a checkpoint of the current step; returns its folder, or null when the weights are not finite. */
    private Path checkpoint(Trained t, long stageStep) {
        StagePlan plan = t.plan();
        Map<String, NDArray> emaAll = t.ema() == null ? Map.of() : t.ema().parameters();
        String bad = firstNonFinite(t.backbone().parameters(), emaAll, conditioner.parameters());
        if (bad != null) {
            control.event("step " + globalStep + ": no checkpoint written: the weights are not finite ('" + bad
                    + "'); the last good checkpoint is "
                    + (lastCheckpointStep < 0 ? "none" : "step " + lastCheckpointStep));
            return null;
        }
        StreamPosition p = stream.position();
        Map<String, Long> optimizerSteps = new LinkedHashMap<>(t.adam().stepCounts());
        CheckpointState state = new CheckpointState(globalStep, plan.index(), plan.spec().name(), stageStep,
                stageSteps[plan.index()], Arrays.stream(stageSteps).boxed().toList(),
                List.of(noiseRng.seed(), noiseRng.counter()), List.of(dropoutRng.seed(), dropoutRng.counter()),
                new CheckpointState.DataPosition(p.epoch(), p.index()), optimizerSteps,
                t.ema() == null ? 0 : t.ema().updates(), globalStep == totalSteps, null, divergence.total(), null);
        Path written = store.write(globalStep, new CheckpointStore.Contents(experimentRecord(plan), state,
                t.backbone().parameters(), backboneOnly(emaAll), t.adam().stateTensors(), conditioner.parameters(),
                conditionerOnly(emaAll)));
        lastCheckpointStep = globalStep;
        store.prune(exp.spec.training().keepCheckpoints(), null);
        LossCurves.write(metrics.records(), out);
        control.event("checkpoint " + written);
        return written;
    }

    /** The name of the first tensor holding NaN or infinity, or null when all are finite. */
    @SafeVarargs
    private String firstNonFinite(Map<String, NDArray>... groups) {
        try (NDManager scratch = runtime.newManager()) {
            for (Map<String, NDArray> g : groups) {
                for (Map.Entry<String, NDArray> e : g.entrySet()) {
                    NDArray v = e.getValue();
                    // x·0 is 0 where x is finite and NaN where it is NaN or infinite; the sum tells which
                    NDArray zeros = v.mul(scratch.zeros(new Shape(), v.getDataType()));
                    zeros.attach(scratch);
                    if (Double.isNaN(zeros.sum().toType(DataType.FLOAT64, false).getDouble())) {
                        return e.getKey();
                    }
                }
            }
        }
        return null;
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
                NativeArrays.assign(target, v);
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
        for (String section : new String[] {"components", "model", "diffusion", "import", "pipeline", "cascade", "latent"}) {
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
}
