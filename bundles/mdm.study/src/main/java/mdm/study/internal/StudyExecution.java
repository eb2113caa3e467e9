package mdm.study.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import mdm.api.MdmException;
import mdm.api.NothingToSampleException;
import mdm.api.eval.CheckpointEvalRequest;
import mdm.api.eval.CheckpointEvaluator;
import mdm.api.eval.QualityReport;
import mdm.api.study.StudyRun;
import mdm.api.study.StudyStatus;
import mdm.api.train.Job;
import mdm.api.train.JobState;
import mdm.api.train.Progress;
import mdm.api.train.ProgressListener;
import mdm.api.train.TrainRequest;
import mdm.api.train.Trainer;
import mdm.core.config.Json;

/**
 * Runs a checked study: arm after arm (its features installed meanwhile), seed after seed, trains
 * through the trainer service (resuming a run that has checkpoints), then measures each evaluation
 * point's checkpoint with the checkpoint evaluator, keeping every figure in the run's
 * {@code study-run.json}; the report is rewritten after every run, so an interrupted study has one
 * too. Starting the study again skips what is done.
 */
final class StudyExecution implements StudyRun {
    /** How often a wall-clock budget looks at the clock, and how often progress is logged. */
    private static final long POLL_MS = 200;
    private static final long LOG_EVERY_MS = 30_000;
    /** The features this study installed for the arm running now (removed when the arm ends). */
    static final String INSTALLED = "installed-features.json";

    private final StudyPlan plan;
    private final Trainer trainer;
    private final CheckpointEvaluator evaluator;
    private final FeatureSwitch features;
    private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();
    private final CountDownLatch done = new CountDownLatch(1);
    private volatile boolean stopRequested;
    private volatile Job current;
    private volatile String reason;
    private volatile String state = "running";

    StudyExecution(StudyPlan plan, Trainer trainer, CheckpointEvaluator evaluator, FeatureSwitch features) {
        this.plan = plan;
        this.trainer = trainer;
        this.evaluator = evaluator;
        this.features = features;
    }

    @Override
    public String name() {
        return plan.name();
    }

    @Override
    public Path folder() {
        return plan.folder();
    }

    @Override
    public StudyStatus status() {
        return StudyStatusReader.status(plan, isDone() ? state : "running");
    }

    private boolean isDone() {
        return done.getCount() == 0;
    }

    @Override
    public void stop() {
        stopRequested = true;
        Job j = current;
        if (j != null) {
            j.stop();
        }
    }

    @Override
    public boolean await(long timeout, TimeUnit unit) throws InterruptedException {
        return done.await(timeout, unit);
    }

    @Override
    public Optional<String> reason() {
        return Optional.ofNullable(reason);
    }

    @Override
    public void addLogListener(Consumer<String> listener) {
        listeners.add(listener);
    }

    @Override
    public void removeLogListener(Consumer<String> listener) {
        listeners.remove(listener);
    }

    String state() {
        return state;
    }

    void log(String line) {
        String l = "[study " + plan.name() + "] " + line;
        for (Consumer<String> c : listeners) {
            c.accept(l);
        }
    }

    /** The study's thread. */
    void run() {
        try {
            StudyFolder.prepare(plan);
            int runs = plan.arms().size() * plan.seeds().size();
            log(plan.arms().size() + " arms × " + plan.seeds().size() + " seeds (" + runs + " runs), budget "
                    + plan.budget().describe() + ", " + plan.points() + " evaluation point(s) of "
                    + plan.evaluation().n() + " images, folder " + plan.folder());
            for (StudyPlan.Arm arm : plan.arms()) {
                if (stopRequested) {
                    break;
                }
                List<String> installed = installFeatures(arm);
                if (!installed.isEmpty()) {
                    log("arm '" + arm.name() + "': installed " + String.join(", ", installed));
                }
                try {
                    for (StudyPlan.Run run : arm.runs()) {
                        if (stopRequested) {
                            break;
                        }
                        train(run);
                        if (stopRequested) {
                            break;
                        }
                        evaluate(run);
                        StudyReport.write(plan, this::log);
                    }
                } finally {
                    features.uninstall(installed);
                    forgetInstalled(installed);
                    if (!installed.isEmpty()) {
                        log("arm '" + arm.name() + "': removed " + String.join(", ", installed));
                    }
                }
            }
            Path report = StudyReport.write(plan, this::log);
            if (stopRequested) {
                state = "stopped";
                reason = "stopped on request; mdm:study " + plan.file() + " resumes it";
                log("stopped; start it again to resume (finished runs and evaluations are kept)");
            } else {
                state = "completed";
                log("completed; report " + report);
            }
        } catch (RuntimeException e) {
            state = "failed";
            reason = e.getMessage() == null ? e.toString() : e.getMessage();
            log("failed: " + reason);
            try {
                StudyReport.write(plan, this::log);
            } catch (RuntimeException ignored) {
                // the failure is what matters; the report of what was done is a courtesy
            }
        } finally {
            current = null;
            done.countDown();
        }
    }

    /**
     * Installs the arm's features, and remembers in the study folder which ones the study installed:
     * a study killed while one was installed finds it installed on resume and still removes it after.
     */
    private List<String> installFeatures(StudyPlan.Arm arm) {
        java.util.Set<String> noted = noted();
        List<String> ours = new java.util.ArrayList<>(arm.features().stream().filter(noted::contains).toList());
        List<String> now = features.install(arm.features());
        ours.addAll(now);
        noted.addAll(now);
        note(noted);
        return ours;
    }

    private void forgetInstalled(List<String> removed) {
        java.util.Set<String> noted = noted();
        noted.removeAll(removed);
        note(noted);
    }

    private java.util.Set<String> noted() {
        Path note = plan.folder().resolve(INSTALLED);
        java.util.Set<String> out = new java.util.LinkedHashSet<>();
        if (Files.isRegularFile(note)) {
            Json.read(note).forEach(n -> out.add(n.asText()));
        }
        return out;
    }

    private void note(java.util.Set<String> installed) {
        Path note = plan.folder().resolve(INSTALLED);
        try {
            if (installed.isEmpty()) {
                Files.deleteIfExists(note);
            } else {
                Files.writeString(note, Json.write(installed));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + note, e);
        }
    }

    private void train(StudyPlan.Run run) {
        Path folder = run.folder(plan.folder());
        RunState rs = RunState.load(folder);
        if (!rs.exists()) {
            rs = RunState.create(folder, run.fingerprint());
            rs.save();
        }
        String who = "arm '" + run.arm() + "' seed " + run.seed();
        if (plan.budget().kind() == Budget.Kind.SECONDS) {
            trainForTime(run, folder, rs, who);
            return;
        }
        if (RunState.Checkpoints.finished(folder)) {
            log(who + ": trained (" + run.totalSteps() + " steps)");
            return;
        }
        Job job = startJob(run, folder, rs, who);
        follow(job, who, () -> { });
        finish(job, who);
    }

    /** Wall-clock budget: stop at each point's share of the time, checkpoint, measure later, resume. */
    private void trainForTime(StudyPlan.Run run, Path folder, RunState rs, String who) {
        for (int k = 1; k <= plan.points(); k++) {
            if (rs.pointStep(k).isPresent()) {
                continue;
            }
            if (RunState.Checkpoints.finished(folder)) {
                // the spec's steps ran out before the time: the last checkpoint stands for the later points
                rs.pointStep(k, RunState.Checkpoints.latest(folder));
                continue;
            }
            double until = plan.budget().amount() * (double) k / plan.points();
            Job job = startJob(run, folder, rs, who);
            long started = System.currentTimeMillis();
            double base = baseSeconds(folder, rs);
            follow(job, who, () -> {
                if (base + (System.currentTimeMillis() - started) / 1000.0 >= until) {
                    job.stop();
                }
            });
            if (stopRequested) {
                finish(job, who);
                return;
            }
            finish(job, who);
            rs.pointStep(k, RunState.Checkpoints.latest(folder));
        }
    }

    private double baseSeconds(Path folder, RunState rs) {
        long from = RunState.Checkpoints.latest(folder);
        return from == 0 ? 0 : rs.secondsAt(from).orElse(0.0);
    }

    private Job startJob(StudyPlan.Run run, Path folder, RunState rs, String who) {
        Path spec = folder.resolve("spec.json");
        try {
            Files.createDirectories(folder);
            Files.writeString(spec, Json.write(run.spec()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + spec, e);
        }
        long from = RunState.Checkpoints.latest(folder);
        double base = baseSeconds(folder, rs);
        long started = System.currentTimeMillis();
        Job job = trainer.start(new TrainRequest(spec, null, null, from > 0));
        current = job;
        if (stopRequested) {
            job.stop();
        }
        log(who + ": " + (from > 0 ? "resuming at step " + from : "training") + " (job " + job.id() + ", "
                + run.totalSteps() + " steps)");
        // the clock of the run starts when the trainer takes the job, not while it waits behind another job
        try {
            while (job.state() == JobState.QUEUED && !job.await(100, TimeUnit.MILLISECONDS)) {
                started = System.currentTimeMillis();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        rs.session(started, from, base);
        return job;
    }

    /** Waits for the job, logging progress now and then and calling {@code tick} every poll. */
    private void follow(Job job, String who, Runnable tick) {
        long[] lastLog = {System.currentTimeMillis()};
        ProgressListener l = new ProgressListener() {
            @Override
            public void onProgress(Job j, Progress p) {
                long now = System.currentTimeMillis();
                if (now - lastLog[0] >= LOG_EVERY_MS) {
                    lastLog[0] = now;
                    log(String.format("%s: step %d/%d  loss %.4f  %.1f img/s", who, p.step(), p.totalSteps(),
                            p.loss(), p.imagesPerSecond()));
                }
            }
        };
        job.addListener(l);
        try {
            while (!job.await(POLL_MS, TimeUnit.MILLISECONDS)) {
                tick.run();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            job.stop();
            throw new MdmException(who + ": interrupted");
        } finally {
            job.removeListener(l);
            current = null;
        }
    }

    private void finish(Job job, String who) {
        JobState s = job.state();
        if (s == JobState.FAILED) {
            throw new MdmException(who + ": training failed: " + job.reason().orElse("no reason given")
                    + " (the study stops; fix it and start the study again to resume)");
        }
        if (s == JobState.STOPPED && !stopRequested && plan.budget().kind() != Budget.Kind.SECONDS) {
            throw new MdmException(who + ": training stopped: " + job.reason().orElse("no reason given")
                    + " (start the study again to resume)");
        }
        log(who + ": " + s.name().toLowerCase() + " at step " + job.progress().step());
    }

    private void evaluate(StudyPlan.Run run) {
        Path folder = run.folder(plan.folder());
        RunState rs = RunState.load(folder);
        String who = "arm '" + run.arm() + "' seed " + run.seed();
        StudyPlan.Evaluation e = plan.evaluation();
        for (int k = 1; k <= plan.points(); k++) {
            if (stopRequested) {
                return;
            }
            if (rs.evaluation(k).isPresent()) {
                continue;
            }
            long step = plan.budget().kind() == Budget.Kind.SECONDS
                    ? rs.pointStep(k).orElseThrow(() -> new MdmException(who + ": no checkpoint for point"))
                    : run.pointSteps()[k - 1];
            Path ckpt = RunState.Checkpoints.folder(folder, step);
            if (!Files.isRegularFile(ckpt.resolve(RunState.Checkpoints.STATE))) {
                throw new MdmException(who + ": the checkpoint of evaluation point " + plan.pointLabel(k) + " ("
                        + ckpt + ") is missing: remove " + folder + " to train this run again");
            }
            log(who + ": measuring point " + plan.pointLabel(k) + " (step " + step + ", " + e.n() + " images)");
            long started = System.nanoTime();
            ObjectNode record = Json.empty();
            record.put("point", k);
            record.put("step", step);
            record.put("images_seen", imagesSeen(run, ckpt, step));
            rs.secondsAt(step).ifPresent(sec -> record.put("train_seconds", sec));
            QualityReport q;
            try {
                q = evaluator.evaluate(new CheckpointEvalRequest(ckpt, e.n(), null, e.steps(), e.guidance(),
                        e.seed(), e.ema(), e.metrics(), e.featureNetwork(), false, e.batchSize()), p -> { });
            } catch (RuntimeException x) {
                // a point that falls where the arm has no generative model yet (latent diffusion's
                // autoencoder stage) is a fact about the arm, not a failure of the study: record it
                NothingToSampleException nothing = nothingToSample(x);
                if (nothing == null) {
                    throw x;
                }
                record.put("not_measured", nothing.getMessage());
                rs.evaluation(k, record);
                log(who + ": point " + plan.pointLabel(k) + " not measured: " + nothing.getMessage());
                continue;
            }
            record.put("eval_seconds", (System.nanoTime() - started) / 1e9);
            record.put("n", q.n());
            record.put("real_n", q.realCount());
            record.put("feature_network", q.network());
            record.put("feature_weights", q.weightsHash());
            ObjectNode figures = record.putObject("figures");
            q.figures().forEach(figures::put);
            rs.evaluation(k, record);
            StringBuilder sb = new StringBuilder();
            q.figures().forEach((m, v) -> sb.append(' ').append(m).append('=').append(String.format("%.4g", v)));
            log(who + ": point " + plan.pointLabel(k) + sb);
        }
    }

    private static NothingToSampleException nothingToSample(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof NothingToSampleException n) {
                return n;
            }
        }
        return null;
    }

    /** Images seen at a checkpoint: from its stage and stage step (exact under any budget). */
    private static long imagesSeen(StudyPlan.Run run, Path ckpt, long step) {
        var state = Json.read(ckpt.resolve(RunState.Checkpoints.STATE));
        if (state.has("stage") && state.has("stage_step")) {
            int stage = state.get("stage").asInt();
            long seen = 0;
            for (int i = 0; i < stage && i < run.stageSteps().length; i++) {
                seen += run.stageSteps()[i] * run.imagesPerStep()[i];
            }
            return seen + state.get("stage_step").asLong() * run.imagesPerStep()[Math.min(stage, run.imagesPerStep().length - 1)];
        }
        return run.imagesSeen(step);
    }
}
