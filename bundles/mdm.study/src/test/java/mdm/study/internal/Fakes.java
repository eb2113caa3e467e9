package mdm.study.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import mdm.api.MdmException;
import mdm.api.eval.CheckpointEvalRequest;
import mdm.api.eval.CheckpointEvaluator;
import mdm.api.eval.EvalProgress;
import mdm.api.eval.QualityReport;
import mdm.api.train.ExperimentSpec;
import mdm.api.train.Job;
import mdm.api.train.JobState;
import mdm.api.train.Progress;
import mdm.api.train.ProgressListener;
import mdm.api.train.TrainRequest;
import mdm.api.train.Trainer;
import mdm.core.config.Json;
import mdm.features.FeatureInfo;
import mdm.features.FeatureManager;

/**
 * Stand-ins for the trainer, the evaluator and the feature manager that write what the real ones
 * write (checkpoint folders with state.json and a safetensors header, experiment.json, a final
 * grid) without training, so the study's bookkeeping can be tested in milliseconds.
 */
final class Fakes {
    private Fakes() {
    }

    /** Reads the stages of a resolved spec as the trainer would: batch sizes and steps. */
    static StudyPlanner.Stages stages(Path spec, List<String> backbones) {
        JsonNode t = Json.read(spec);
        JsonNode b = t.path("components").path("backbone");
        String backbone = b.isTextual() ? b.asText() : b.path("name").asText();
        if (!backbones.contains(backbone)) {
            throw new MdmException("no backbone named '" + backbone + "'; registered: " + backbones);
        }
        if (t.path("model").has("bogus")) {
            throw new MdmException("unknown key 'bogus' in unet_config");
        }
        int batch = t.path("training").path("batch_size").asInt(32);
        JsonNode stages = t.path("stages");
        long[] steps = new long[stages.size()];
        long[] per = new long[stages.size()];
        for (int i = 0; i < stages.size(); i++) {
            steps[i] = stages.get(i).path("steps").asLong();
            per[i] = stages.get(i).path("batch_size").asInt(batch);
        }
        return new StudyPlanner.Stages(steps, per);
    }

    static final class FakeTrainer implements Trainer {
        final List<TrainRequest> started = new ArrayList<>();
        /** Stop every job after this many steps of its run as if the runtime were killed (-1: never). */
        long crashAfter = -1;

        @Override
        public ExperimentSpec validate(Path spec) {
            throw new UnsupportedOperationException("the planner gets its validator directly");
        }

        @Override
        public Job start(TrainRequest request) {
            started.add(request);
            FakeJob job = new FakeJob("job-" + started.size(), Json.read(request.spec()), request.resume(), crashAfter);
            Thread t = new Thread(job::run);
            t.setDaemon(true);
            t.start();
            return job;
        }

        @Override
        public List<Job> jobs() {
            return List.of();
        }

        @Override
        public Optional<Job> job(String id) {
            return Optional.empty();
        }
    }

    static final class FakeJob implements Job {
        private final String id;
        private final JsonNode spec;
        private final boolean resume;
        private final long crashAfter;
        private final Path out;
        private final CountDownLatch done = new CountDownLatch(1);
        private volatile JobState state = JobState.RUNNING;
        private volatile long step;
        private volatile boolean stop;
        private volatile String reason;

        FakeJob(String id, JsonNode spec, boolean resume, long crashAfter) {
            this.id = id;
            this.spec = spec;
            this.resume = resume;
            this.crashAfter = crashAfter;
            this.out = Path.of(spec.path("output").asText());
        }

        void run() {
            try {
                JsonNode stages = spec.path("stages");
                long every = spec.path("training").path("checkpoint_every").asLong();
                long total = 0;
                for (JsonNode s : stages) {
                    total += s.path("steps").asLong();
                }
                Files.createDirectories(out);
                Files.writeString(out.resolve("experiment.json"),
                        "{\"components\": {\"backbone/" + spec.path("components").path("backbone").asText("x")
                                + "\": \"mdm.fake 1.0.0\"}}");
                long from = resume ? RunState.Checkpoints.latest(out) : 0;
                step = from;
                long ran = 0;
                while (step < total) {
                    if (stop) {
                        write(total, true);
                        state = JobState.STOPPED;
                        reason = "stopped on request";
                        return;
                    }
                    if (crashAfter >= 0 && ran >= crashAfter) {
                        state = JobState.STOPPED; // the runtime went away: no checkpoint
                        reason = "killed";
                        return;
                    }
                    Thread.sleep(1);
                    step++;
                    ran++;
                    boolean stageEnd = false;
                    long acc = 0;
                    for (JsonNode s : stages) {
                        acc += s.path("steps").asLong();
                        stageEnd |= acc == step;
                    }
                    if (step % every == 0 || stageEnd) {
                        write(total, false);
                    }
                }
                Files.createDirectories(out.resolve("samples"));
                Files.write(out.resolve("samples/final.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G'});
                state = JobState.COMPLETED;
            } catch (IOException | InterruptedException e) {
                state = JobState.FAILED;
                reason = e.toString();
            } finally {
                done.countDown();
            }
        }

        private void write(long total, boolean always) throws IOException {
            Path c = RunState.Checkpoints.folder(out, step);
            if (Files.exists(c) && !always) {
                return;
            }
            Files.createDirectories(c);
            JsonNode stages = spec.path("stages");
            long left = step;
            int stage = 0;
            for (; stage < stages.size() - 1 && left > stages.get(stage).path("steps").asLong(); stage++) {
                left -= stages.get(stage).path("steps").asLong();
            }
            ObjectNode s = Json.empty();
            s.put("global_step", step);
            s.put("stage", stage);
            s.put("stage_step", left);
            s.put("final", step == total);
            byte[] header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[3,4],\"data_offsets\":[0,48]}}"
                    .getBytes(StandardCharsets.UTF_8);
            ByteBuffer b = ByteBuffer.allocate(8 + header.length + 48).order(ByteOrder.LITTLE_ENDIAN);
            b.putLong(header.length).put(header);
            Files.write(c.resolve("model.safetensors"), b.array());
            Files.writeString(c.resolve("state.json"), Json.write(s));
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public ExperimentSpec spec() {
            return null;
        }

        @Override
        public JobState state() {
            return state;
        }

        @Override
        public Progress progress() {
            return new Progress("s", step, 0, 0.1, Map.of(), 0, 1, 0, null);
        }

        @Override
        public Path output() {
            return out;
        }

        @Override
        public Optional<String> reason() {
            return Optional.ofNullable(reason);
        }

        @Override
        public void stop() {
            stop = true;
        }

        @Override
        public boolean await(long timeout, TimeUnit unit) throws InterruptedException {
            return done.await(timeout, unit);
        }

        @Override
        public void addListener(ProgressListener listener) {
        }

        @Override
        public void removeListener(ProgressListener listener) {
        }
    }

    /** fd falls with the step (and differs a little by seed); accuracy rises. */
    static final class FakeEvaluator implements CheckpointEvaluator {
        final List<CheckpointEvalRequest> requests = new ArrayList<>();
        /** Checkpoints of this arm up to this step hold nothing to sample (as latent diffusion's autoencoder stage). */
        String nothingArm;
        long nothingUpTo;

        @Override
        public QualityReport evaluate(CheckpointEvalRequest request, Consumer<EvalProgress> progress) {
            requests.add(request);
            JsonNode state = Json.read(request.checkpoint().resolve("state.json"));
            long step = state.path("global_step").asLong();
            if (nothingArm != null && step <= nothingUpTo
                    && request.checkpoint().getParent().getParent().getParent().getFileName().toString().equals(nothingArm)) {
                // wrapped, as the generation service may hand it on
                throw new mdm.api.MdmException("evaluation failed", new mdm.api.NothingToSampleException(
                        "the autoencoder stage of latent diffusion is not a denoiser"));
            }
            String seed = request.checkpoint().getParent().getParent().getFileName().toString();
            double jitter = seed.endsWith("1") ? 1 : -1;
            return new QualityReport(Map.of("fd", 1000.0 / step + jitter, "accuracy", step / 1000.0), request.n(),
                    request.n(), "fake", "abc", Map.of(), null);
        }
    }

    static final class FakeFeatures implements FeatureManager {
        final List<String> log = new ArrayList<>();
        private final List<String> installed = new ArrayList<>();

        @Override
        public List<FeatureInfo> features() {
            return List.of(info("mdm-ablation-shifted-cosine"), info("mdm-trainer"));
        }

        private FeatureInfo info(String name) {
            return new FeatureInfo(name, "mdm:" + name, name, false, installed.contains(name), List.of());
        }

        @Override
        public List<String> install(String name) {
            log.add("install " + name);
            installed.add(name);
            return List.of();
        }

        @Override
        public List<String> uninstall(String name) {
            log.add("uninstall " + name);
            installed.remove(name);
            return List.of();
        }
    }

    static Path write(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
