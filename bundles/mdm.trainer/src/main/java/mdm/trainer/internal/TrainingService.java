package mdm.trainer.internal;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import mdm.api.DjlRuntime;
import mdm.api.MdmException;
import mdm.api.train.ExperimentSpec;
import mdm.api.train.Job;
import mdm.api.train.TrainRequest;
import mdm.api.train.Trainer;
import mdm.core.config.Json;
import mdm.trainer.internal.spec.SpecReader;

/**
 * Validates specs and runs training jobs one after another on a single worker thread (libtorch's
 * autograd recorder is process-wide, and two jobs on two cores would only slow each other down).
 */
public final class TrainingService implements Trainer, AutoCloseable {
    /** How long a bundle that withdraws a component waits for the job to checkpoint. */
    static final long STOP_WAIT_SECONDS = 120;

    private final ComponentRegistry registry;
    private final DjlRuntime runtime;
    private final Path workDirectory;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "mdm-training");
        t.setDaemon(true);
        return t;
    });
    private final List<TrainingJob> jobs = new ArrayList<>();
    private final JobIds ids;
    private final ErrorLog log;

    public TrainingService(ComponentRegistry registry, DjlRuntime runtime, Path workDirectory) {
        this(registry, runtime, workDirectory, ErrorLog.NONE);
    }

    TrainingService(ComponentRegistry registry, DjlRuntime runtime, Path workDirectory, ErrorLog log) {
        this.log = log;
        this.registry = registry;
        this.runtime = runtime;
        this.workDirectory = workDirectory;
        this.ids = new JobIds(workDirectory);
    }

    @Override
    public ExperimentSpec validate(Path specFile) {
        ExperimentSpec spec = read(specFile);
        try (Experiment exp = ExperimentResolver.resolve(spec, registry)) {
            AutoencoderReference.checkImageSize(exp);
            Preflight.checkStructure(exp);
            return spec;
        }
    }

    @Override
    public Job start(TrainRequest request) {
        ExperimentSpec spec = read(request.spec());
        if (spec.dataset() == null) {
            throw new MdmException("experiment '" + spec.name() + "' names no dataset, so it can be sampled but not "
                    + "trained: add components.dataset to train it");
        }
        Experiment exp = ExperimentResolver.resolve(spec, registry);
        try {
            AutoencoderReference.checkImageSize(exp);
            Path out = output(request, spec);
            CheckpointStore store = new CheckpointStore(out);
            if (!request.resume() && !store.list().isEmpty()) {
                throw new MdmException("the output folder " + out + " already holds a run: add --resume to continue it, "
                        + "or --out to train into another folder");
            }
            inUseHere(out);
            // an absent GPU, a network that cannot be built or a batch that cannot fit is an error now, not in the job
            Preflight.check(exp, Devices.resolve(spec.training().devices(), runtime));
            long[] requested = stageSteps(spec, request.steps());
            // a resumed run trains to the requested total, or is refused now (the job checks again once it holds the folder)
            long[] steps = request.resume() ? store.newestUsable()
                    .map(u -> RunPlan.resumed(requested, u.state(), out).stageSteps()).orElse(requested) : requested;
            TrainingEvaluation evaluation = TrainingEvaluation.prepare(exp, registry, steps);
            long total = 0;
            for (long s : steps) {
                total += s;
            }
            TrainingJob job;
            synchronized (jobs) {
                job = new TrainingJob(ids.next(spec.name()), spec, out, total, log);
                jobs.add(job);
            }
            for (ComponentRegistry.Lease<?> lease : exp.leases()) {
                registry.watch(lease, why -> stopAndWait(job, why));
            }
            worker.submit(() -> {
                try {
                    job.run(() -> {
                        // one writer per run folder, from the job's start to its end, across runtimes
                        try (RunLock lock = RunLock.acquire(out, job.id())) {
                            if (!request.resume() && !store.list().isEmpty()) {
                                throw new MdmException("the output folder " + out + " already holds a run (written "
                                        + "since this job was submitted): add --resume to continue it, or --out to "
                                        + "train into another folder");
                            }
                            return new TrainingRun(exp, runtime, out, requested, job, evaluation).run(request.resume());
                        }
                    });
                } finally {
                    if (evaluation != null) {
                        evaluation.close();
                    }
                    exp.close();
                }
            });
            return job;
        } catch (RuntimeException e) {
            exp.close();
            throw e;
        }
    }

    /** The spec file with what it references outside itself resolved (a latent spec's trained autoencoder). */
    private ExperimentSpec read(Path specFile) {
        JsonNode tree = AutoencoderReference.resolve(Json.read(specFile), workDirectory);
        return SpecReader.parse(tree, specFile.toAbsolutePath().getParent());
    }

    /** Refuses a folder that a queued or running job of this runtime will write (other runtimes: {@link RunLock}). */
    private void inUseHere(Path out) {
        synchronized (jobs) {
            for (TrainingJob j : jobs) {
                if (!j.state().finished() && j.output().equals(out)) {
                    throw new MdmException("run folder " + out + " is in use by job " + j.id() + " (pid "
                            + ProcessHandle.current().pid() + "): wait for it to end, stop it, or train into another "
                            + "folder with --out");
                }
            }
        }
    }

    /** A component the job uses is going away: checkpoint while it is still there, then end the job. */
    private static void stopAndWait(TrainingJob job, String why) {
        if (job.state().finished()) {
            return;
        }
        boolean queued = job.state() == mdm.api.train.JobState.QUEUED;
        job.requestStop(why);
        if (queued) {
            return; // it has not started: nothing to checkpoint
        }
        if (Thread.currentThread().getName().equals("mdm-training")) {
            return; // the job itself triggered it; it will see the request at the next step
        }
        try {
            job.await(STOP_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Path output(TrainRequest request, ExperimentSpec spec) {
        Path out = request.output() != null ? request.output() : Path.of(spec.output());
        return (out.isAbsolute() ? out : workDirectory.resolve(out)).toAbsolutePath().normalize();
    }

    /** The spec's stage lengths, or scaled so they add up to {@code override}. */
    static long[] stageSteps(ExperimentSpec spec, Long override) {
        int n = spec.stages().size();
        long[] steps = new long[n];
        long total = spec.totalSteps();
        for (int i = 0; i < n; i++) {
            steps[i] = spec.stages().get(i).steps();
        }
        if (override == null) {
            return steps;
        }
        if (override < n) {
            throw new MdmException("--steps " + override + " is fewer than the " + n + " stages: give at least one step per stage");
        }
        long assigned = 0;
        for (int i = 0; i < n; i++) {
            steps[i] = Math.max(1, Math.round((double) override * spec.stages().get(i).steps() / total));
            assigned += steps[i];
        }
        steps[n - 1] = Math.max(1, steps[n - 1] + override - assigned);
        return steps;
    }

    @Override
    public List<Job> jobs() {
        synchronized (jobs) {
            return List.copyOf(jobs);
        }
    }

    @Override
    public Optional<Job> job(String id) {
        synchronized (jobs) {
            return jobs.stream().filter(j -> j.id().equals(id)).map(j -> (Job) j).findFirst();
        }
    }

    /** Stops every job with a checkpoint and waits for them. */
    @Override
    public void close() {
        List<TrainingJob> running;
        synchronized (jobs) {
            running = List.copyOf(jobs);
        }
        running.forEach(j -> j.requestStop("the trainer is shutting down"));
        for (TrainingJob j : running) {
            try {
                j.await(STOP_WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        worker.shutdownNow();
    }

    Path workDirectory() {
        return workDirectory;
    }

    static boolean isCheckpoint(Path dir) {
        return Files.isRegularFile(dir.resolve(CheckpointStore.STATE));
    }
}
