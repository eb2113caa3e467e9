package mdm.trainer.internal;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import mdm.api.train.ExperimentSpec;
import mdm.api.train.Job;
import mdm.api.train.JobState;
import mdm.api.train.Progress;
import mdm.api.train.ProgressListener;

/** A training run on its own thread, with a state, the latest progress and a stop switch. */
final class TrainingJob implements Job, RunControl {
    private final String id;
    private final ExperimentSpec spec;
    private final Path output;
    private final List<ProgressListener> listeners = new CopyOnWriteArrayList<>();
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile JobState state = JobState.QUEUED;
    private volatile Progress progress;
    private volatile String stopReason;
    private volatile String reason;
    private final ErrorLog log;

    TrainingJob(String id, ExperimentSpec spec, Path output, long totalSteps) {
        this(id, spec, output, totalSteps, ErrorLog.NONE);
    }

    TrainingJob(String id, ExperimentSpec spec, Path output, long totalSteps, ErrorLog log) {
        this.id = id;
        this.log = log;
        this.spec = spec;
        this.output = output;
        this.progress = new Progress("", 0, totalSteps, Double.NaN, Map.of(), 0, 0, 0, "queued");
    }

    /** Runs the body on the calling thread and records how it ended. */
    void run(java.util.function.Supplier<TrainingRun.Outcome> body) {
        if (stopReason != null) {
            finish(JobState.STOPPED, stopReason);
            return;
        }
        state = JobState.RUNNING;
        event("started; writing to " + output);
        try {
            TrainingRun.Outcome outcome = body.get();
            finish(outcome == TrainingRun.Outcome.COMPLETED ? JobState.COMPLETED : JobState.STOPPED,
                    outcome == TrainingRun.Outcome.STOPPED ? stopReason : null);
        } catch (OutOfMemoryError e) {
            // anywhere in the job, never taken for broken data; what was written stays (checkpoints are atomic)
            finish(JobState.FAILED, outOfMemory(e.getMessage()));
        } catch (RuntimeException e) {
            if (nativeOutOfMemory(e)) { // the engine's allocator (CPU or CUDA) said so
                finish(JobState.FAILED, outOfMemory(e.getMessage().lines().findFirst().orElse("")));
                return;
            }
            finish(JobState.FAILED, e.getMessage() != null ? e.getMessage() : e.toString());
            if (!(e instanceof mdm.api.MdmException)) { // an MdmException is bad input, said in full by the message
                log.error("job " + id + " failed", e);
            }
        } catch (Error e) {
            finish(JobState.FAILED, e.getMessage() != null ? e.getMessage() : e.toString());
            log.error("job " + id + " failed", e);
        }
    }

    private String outOfMemory(String what) {
        return "out of memory (" + what + ") at step " + progress.step() + ": lower training.batch_size (now "
                + spec.training().batchSize() + ") or the model's size; checkpoints already written are intact";
    }

    /** libtorch's words when an allocation fails: "not enough memory" (CPU), "out of memory" (CUDA). */
    static boolean nativeOutOfMemory(RuntimeException e) {
        String m = e.getMessage();
        return !(e instanceof mdm.api.MdmException) && m != null
                && (m.contains("not enough memory") || m.contains("out of memory"));
    }

    private void finish(JobState end, String why) {
        reason = why;
        state = end;
        event(end.name().toLowerCase() + (why == null ? "" : ": " + why));
        finished.countDown();
        for (ProgressListener l : listeners) {
            l.onFinished(this);
        }
    }

    /** Asks the run to checkpoint and stop, naming why (a user, or a bundle that went away). */
    void requestStop(String why) {
        if (!state.finished() && stopReason == null) {
            stopReason = why;
            if (state == JobState.RUNNING) {
                state = JobState.STOPPING;
            }
            event("stopping: " + why);
        }
    }

    @Override
    public String stopRequested() {
        return stopReason;
    }

    @Override
    public void progress(Progress p) {
        progress = p;
        for (ProgressListener l : listeners) {
            l.onProgress(this, p);
        }
    }

    @Override
    public void event(String message) {
        Progress p = progress;
        progress = new Progress(p.stage(), p.step(), p.totalSteps(), p.loss(), p.levelLosses(), p.learningRate(),
                p.imagesPerSecond(), p.etaSeconds(), message);
        for (ProgressListener l : listeners) {
            l.onProgress(this, progress);
        }
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public ExperimentSpec spec() {
        return spec;
    }

    @Override
    public JobState state() {
        return state;
    }

    @Override
    public Progress progress() {
        return progress;
    }

    @Override
    public Path output() {
        return output;
    }

    @Override
    public Optional<String> reason() {
        return Optional.ofNullable(reason);
    }

    @Override
    public void stop() {
        requestStop("stopped by the user");
    }

    @Override
    public boolean await(long timeout, TimeUnit unit) throws InterruptedException {
        return finished.await(timeout, unit);
    }

    @Override
    public void addListener(ProgressListener listener) {
        listeners.add(listener);
    }

    @Override
    public void removeListener(ProgressListener listener) {
        listeners.remove(listener);
    }
}
