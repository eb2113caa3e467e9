package mdm.trainer.internal;

import ai.djl.ndarray.NDManager;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import mdm.api.train.Job;
import mdm.api.train.JobState;
import mdm.api.train.Progress;
import mdm.api.train.ProgressListener;
import mdm.api.train.TrainRequest;
import mdm.core.config.Json;
import mdm.core.io.Safetensors;
import mdm.core.runtime.EngineRuntime;
import mdm.trainer.TestComponents;

/**
 * Soak test of crash safety (a benchmark, not run in CI): trains the tiny test model with a
 * checkpoint after every step in a child JVM, kills it with SIGKILL ({@code kill -9}) at a random
 * moment {@code KILLS} times, resuming each time; after every kill, every visible checkpoint must read
 * (state, checksums, every tensor file). The run that finally completes must have logged exactly the
 * losses of an uninterrupted run. Prints the figures.
 *
 * <pre>
 * mvn -q -o -pl bundles/mdm.trainer test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=mdm.trainer.internal.SoakBenchmark [-Dsoak.kills=20] [-Dsoak.steps=60] [-Dsoak.seed=1]
 * </pre>
 */
public final class SoakBenchmark {
    private SoakBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("child")) {
            child(Path.of(args[1]), Path.of(args[2]), Long.parseLong(args[3]), Boolean.parseBoolean(args[4]));
            return;
        }
        int kills = Integer.getInteger("soak.kills", 20);
        long steps = Long.getLong("soak.steps", 60);
        Random random = new Random(Long.getLong("soak.seed", 1));
        Path dir = Files.createTempDirectory("mdm-soak");
        Path spec = dir.resolve("soak.yaml");
        String tiny = new String(SoakBenchmark.class.getResourceAsStream("/tiny-nested.yaml").readAllBytes(),
                StandardCharsets.UTF_8);
        Files.writeString(spec, tiny.replace("training: {batch_size: 4, checkpoint_every: 2, log_every: 1, keep_checkpoints: 10}",
                "training: {batch_size: 4, checkpoint_every: 1, log_every: 1, keep_checkpoints: 2}"));
        String classpath = classpath();

        long t0 = System.nanoTime();
        Child straight = Child.start(classpath, spec, dir.resolve("straight"), steps, false);
        straight.awaitEnd();
        List<Double> expected = losses(dir.resolve("straight"));
        System.out.printf("uninterrupted run: %d steps, %d losses, %.1f s%n", steps, expected.size(),
                (System.nanoTime() - t0) / 1e9);

        Path run = dir.resolve("killed");
        int done = 0;
        int checked = 0;
        List<String> killedAt = new ArrayList<>();
        try (EngineRuntime runtime = EngineRuntime.standalone()) {
            boolean resume = false;
            while (done < kills) {
                Child c = Child.start(classpath, spec, run, steps, resume);
                resume = true;
                if (!c.awaitFirstStep()) {
                    throw new IllegalStateException("the child ended before training: " + c.tail());
                }
                Thread.sleep(random.nextInt(2500)); // a random moment of training, checkpointing or pruning
                if (!c.process.isAlive()) {
                    System.out.println("the run finished before kill " + (done + 1) + "; starting it over");
                    deleteTree(run);
                    resume = false;
                    continue;
                }
                String at = c.lastLine();
                c.process.destroyForcibly(); // SIGKILL
                c.process.waitFor(30, TimeUnit.SECONDS);
                done++;
                killedAt.add(at);
                checked += checkEveryVisibleCheckpoint(run, runtime);
            }
        }
        Child last = Child.start(classpath, spec, run, steps, true);
        last.awaitEnd();
        List<Double> resumed = losses(run);
        System.out.printf("%d kill -9s, each followed by --resume; last lines before the kills:%n", done);
        killedAt.forEach(l -> System.out.println("  " + l));
        System.out.printf("visible checkpoints checked after the kills: %d, all loadable%n", checked);
        System.out.printf("losses: %d logged by the killed-and-resumed run, identical to the uninterrupted run: %s%n",
                resumed.size(), resumed.equals(expected));
        System.out.printf("total %.1f s%n", (System.nanoTime() - t0) / 1e9);
        if (!resumed.equals(expected)) {
            System.out.println("expected " + expected + "\n     got " + resumed);
            System.exit(1);
        }
        deleteTree(dir);
    }

    /** Reads every visible checkpoint as resuming would: state, checksums, every tensor file. */
    private static int checkEveryVisibleCheckpoint(Path run, EngineRuntime runtime) throws IOException {
        Path folder = run.resolve("checkpoints");
        if (!Files.isDirectory(folder)) {
            return 0;
        }
        int n = 0;
        try (Stream<Path> s = Files.list(folder); NDManager m = runtime.newManager()) {
            for (Path c : s.filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList()) {
                if (!Files.isRegularFile(c.resolve("state.json"))) {
                    throw new IllegalStateException(c + " is visible but has no state.json");
                }
                CheckpointStore.verify(c, CheckpointState.read(c.resolve("state.json")), null);
                try (Stream<Path> files = Files.list(c)) {
                    for (Path f : files.filter(p -> p.toString().endsWith(".safetensors")).toList()) {
                        Safetensors.read(f, m).values().forEach(a -> a.close());
                    }
                }
                n++;
            }
        }
        return n;
    }

    private static List<Double> losses(Path run) throws IOException {
        List<Double> out = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) {
            var n = Json.parse(line);
            if (n.has("loss")) {
                out.add(n.path("loss").asDouble());
            }
        }
        return out;
    }

    /** The training process: one job, its events on stdout. */
    private static void child(Path spec, Path out, long steps, boolean resume) throws Exception {
        try (EngineRuntime runtime = EngineRuntime.standalone();
             TrainingService trainer = new TrainingService(TestComponents.registry(runtime), runtime, out.getParent())) {
            Job job = trainer.start(new TrainRequest(spec, steps, out, resume));
            job.addListener(new ProgressListener() {
                @Override
                public void onProgress(Job j, Progress p) {
                    System.out.println(p.message() != null ? p.message() : "step " + p.step());
                    System.out.flush();
                }
            });
            job.await(1, TimeUnit.HOURS);
            System.out.println("end " + job.state() + " " + job.reason().orElse(""));
            System.exit(job.state() == JobState.COMPLETED ? 0 : 1);
        }
    }

    private static String classpath() {
        List<String> entries = new ArrayList<>();
        for (ClassLoader l = SoakBenchmark.class.getClassLoader(); l != null; l = l.getParent()) {
            if (l instanceof URLClassLoader u) {
                for (URL url : u.getURLs()) {
                    entries.add(new File(url.getPath()).getPath());
                }
            }
        }
        entries.add(System.getProperty("java.class.path"));
        return String.join(File.pathSeparator, entries);
    }

    private static void deleteTree(Path p) throws IOException {
        if (Files.exists(p)) {
            try (Stream<Path> walk = Files.walk(p)) {
                for (Path f : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(f);
                }
            }
        }
    }

    /** A child JVM and the lines it printed. */
    private static final class Child {
        final Process process;
        final List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
        final java.util.concurrent.CountDownLatch firstStep = new java.util.concurrent.CountDownLatch(1);

        private Child(Process process) {
            this.process = process;
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        lines.add(line);
                        if (line.startsWith("step ")) {
                            firstStep.countDown();
                        }
                    }
                } catch (IOException e) {
                    // the process was killed
                }
                firstStep.countDown();
            });
            reader.setDaemon(true);
            reader.start();
        }

        static Child start(String classpath, Path spec, Path out, long steps, boolean resume) throws IOException {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            return new Child(new ProcessBuilder(java, "-cp", classpath, SoakBenchmark.class.getName(), "child",
                    spec.toString(), out.toString(), Long.toString(steps), Boolean.toString(resume))
                    .redirectErrorStream(true).start());
        }

        boolean awaitFirstStep() throws InterruptedException {
            firstStep.await(5, TimeUnit.MINUTES);
            return process.isAlive();
        }

        void awaitEnd() throws InterruptedException {
            process.waitFor(30, TimeUnit.MINUTES);
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException("the child failed: " + tail());
            }
        }

        String lastLine() {
            return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
        }

        String tail() {
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        }
    }
}
