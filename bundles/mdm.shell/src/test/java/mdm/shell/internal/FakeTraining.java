package mdm.shell.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import mdm.api.generate.GenerationRequest;
import mdm.api.generate.GenerationResult;
import mdm.api.generate.Generator;
import mdm.api.train.ExperimentSpec;
import mdm.api.train.Job;
import mdm.api.train.JobState;
import mdm.api.train.Progress;
import mdm.api.train.ProgressListener;
import mdm.api.train.TrainRequest;
import mdm.api.train.Trainer;

/** A trainer and a generator that record what the shell asked for; the trainer's jobs have already ended. */
final class FakeTraining implements Trainer, Generator {
    final List<TrainRequest> trainRequests = new ArrayList<>();
    final List<GenerationRequest> generationRequests = new ArrayList<>();
    /** The message the next job's progress carries (null: a job that has reported no event yet). */
    String message;

    @Override
    public ExperimentSpec validate(Path spec) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Job start(TrainRequest request) {
        trainRequests.add(request);
        return new EndedJob("tiny-" + trainRequests.size(), message);
    }

    @Override
    public List<Job> jobs() {
        return List.of();
    }

    @Override
    public Optional<Job> job(String id) {
        return Optional.empty();
    }

    @Override
    public GenerationResult generate(GenerationRequest request) {
        generationRequests.add(request);
        throw new IllegalStateException("the fake generates nothing");
    }

    /** A job that completed after a step, with {@code message} as its last event. */
    record EndedJob(String id, String message) implements Job {
        @Override
        public ExperimentSpec spec() {
            return null;
        }

        @Override
        public JobState state() {
            return JobState.COMPLETED;
        }

        @Override
        public Progress progress() {
            return new Progress("stage1", 1, 1, 0.5, Map.of(), 1e-3, 10, 0, message);
        }

        @Override
        public Path output() {
            return Path.of("runs/tiny");
        }

        @Override
        public Optional<String> reason() {
            return Optional.empty();
        }

        @Override
        public void stop() {
        }

        @Override
        public boolean await(long timeout, TimeUnit unit) {
            return true;
        }

        @Override
        public void addListener(ProgressListener listener) {
            listener.onProgress(this, progress());
        }

        @Override
        public void removeListener(ProgressListener listener) {
        }
    }
}
