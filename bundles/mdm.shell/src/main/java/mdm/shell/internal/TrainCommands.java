package mdm.shell.internal;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import mdm.api.MdmException;
import mdm.api.generate.GenerationRequest;
import mdm.api.generate.GenerationResult;
import mdm.api.generate.Generator;
import mdm.api.train.Job;
import mdm.api.train.JobState;
import mdm.api.train.Progress;
import mdm.api.train.ProgressListener;
import mdm.api.train.TrainRequest;
import mdm.api.train.Trainer;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.runtime.ServiceComponentRuntime;

/** Training and sampling from the shell: mdm:train, mdm:jobs, mdm:status, mdm:stop, mdm:sample. */
@Component(service = TrainCommands.class, property = {
        "osgi.command.scope=mdm",
        "osgi.command.function=train",
        "osgi.command.function=jobs",
        "osgi.command.function=status",
        "osgi.command.function=stop",
        "osgi.command.function=sample"})
public class TrainCommands {
    private static final String NONE = "";

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile Trainer trainer;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile Generator generator;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile ServiceComponentRuntime components;
    private final boolean batch;

    @Activate
    public TrainCommands(BundleContext context) {
        this.batch = Boolean.parseBoolean(context.getProperty("mdm.batch"));
    }

    @Descriptor("train an experiment spec (JSON or YAML) as a background job; prints its id")
    @Operands("<spec> the experiment spec file (JSON or YAML)")
    public String train(
            @Descriptor("run until the job ends, printing progress (implied when ./mdm runs one command)")
            @Parameter(names = {"--wait", "-w"}, presentValue = "true", absentValue = "false") boolean wait,
            @Descriptor("continue from the latest checkpoint in the output folder")
            @Parameter(names = {"--resume", "-r"}, presentValue = "true", absentValue = "false") boolean resume,
            @Descriptor("total optimiser steps (stages scaled to fit)")
            @Parameter(names = {"--steps", "-s"}, absentValue = NONE) String steps,
            @Descriptor("output folder (default: the spec's output, under the work folder)")
            @Parameter(names = {"--out", "-o"}, absentValue = NONE) String out,
            @Descriptor("the experiment spec file") String... operands) throws InterruptedException {
        String spec = operands(TrainCommands.class, "train", operands)[0];
        Trainer t = trainer();
        Job job = t.start(new TrainRequest(Path.of(spec), steps.isEmpty() ? null : positiveLong("--steps", steps),
                out.isEmpty() ? null : Path.of(out), resume));
        if (!wait && !batch) {
            return "started job " + job.id() + " writing to " + job.output()
                    + "\n  mdm:status " + job.id() + " to follow it, mdm:stop " + job.id() + " to stop it";
        }
        return follow(job);
    }

    @Descriptor("list the training jobs")
    public String jobs() {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"JOB", "STATE", "STEP", "LOSS", "IMG/S", "ETA", "OUTPUT"});
        for (Job j : trainer().jobs()) {
            Progress p = j.progress();
            rows.add(new String[] {j.id(), j.state().name().toLowerCase(), p.step() + "/" + p.totalSteps(),
                    Double.isNaN(p.loss()) ? "-" : String.format("%.4f", p.loss()),
                    String.format("%.0f", p.imagesPerSecond()), duration(p.etaSeconds()), j.output().toString()});
        }
        return rows.size() == 1 ? "no jobs yet: start one with mdm:train <spec>" : Tables.format(rows);
    }

    @Descriptor("show a job's progress and outcome")
    @Operands("<job> the job's id (mdm:jobs lists them)")
    public String status(@Descriptor("job id (see mdm:jobs)") String... operands) {
        Job j = job(operands(TrainCommands.class, "status", operands)[0]);
        Progress p = j.progress();
        StringBuilder s = new StringBuilder();
        s.append("job     ").append(j.id()).append(" (").append(j.spec().name()).append(")\n");
        s.append("state   ").append(j.state().name().toLowerCase()).append(j.reason().map(r -> ": " + r).orElse(""))
                .append('\n');
        s.append("stage   ").append(p.stage()).append('\n');
        s.append("step    ").append(p.step()).append(" / ").append(p.totalSteps()).append('\n');
        s.append("loss    ").append(line(p)).append('\n');
        s.append("speed   ").append(String.format("%.1f images/s, ETA %s", p.imagesPerSecond(), duration(p.etaSeconds())))
                .append('\n');
        s.append("output  ").append(j.output()).append('\n');
        if (p.message() != null) {
            s.append("last    ").append(p.message()).append('\n');
        }
        return s.toString();
    }

    @Descriptor("stop a job: it writes a checkpoint first (resume it with mdm:train <spec> --resume)")
    @Operands("<job> the job's id (mdm:jobs lists them)")
    public String stop(@Descriptor("job id (see mdm:jobs)") String... operands) throws InterruptedException {
        String id = operands(TrainCommands.class, "stop", operands)[0];
        Job j = job(id);
        if (j.state().finished()) {
            return "job " + id + " has already ended: " + j.state().name().toLowerCase();
        }
        j.stop();
        if (!j.await(3, TimeUnit.MINUTES)) {
            return "job " + id + " is still writing its checkpoint; check mdm:status " + id;
        }
        return "job " + id + " " + j.state().name().toLowerCase() + j.reason().map(r -> ": " + r).orElse("")
                + "\n" + j.progress().message();
    }

    @Descriptor("generate images from a checkpoint (or a run folder: its latest checkpoint)")
    @Operands("<checkpoint> a checkpoint folder, or a run folder (its latest checkpoint)")
    public String sample(
            @Descriptor("caption(s) to condition on; several separated by '|'")
            @Parameter(names = {"--prompt", "-p"}, absentValue = NONE) String prompt,
            @Descriptor("class label(s), numbers or names, separated by ','")
            @Parameter(names = {"--label", "-l"}, absentValue = NONE) String label,
            @Descriptor("number of images")
            @Parameter(names = {"--n", "-n"}, absentValue = "16") String n,
            @Descriptor("inference steps (default: the experiment's)")
            @Parameter(names = {"--steps", "-s"}, absentValue = NONE) String steps,
            @Descriptor("sampler name: ddpm, ddim, dpm-solver++ (default: the experiment's)")
            @Parameter(names = {"--sampler"}, absentValue = NONE) String sampler,
            @Descriptor("classifier-free guidance weight (1 = none; default: the experiment's)")
            @Parameter(names = {"--guidance", "-g"}, absentValue = NONE) String guidance,
            @Descriptor("noise seed; the same seed gives the same images")
            @Parameter(names = {"--seed"}, absentValue = "0") String seed,
            @Descriptor("use the EMA weights (true/false)")
            @Parameter(names = {"--ema"}, absentValue = "true") String ema,
            @Descriptor("output folder (default: <checkpoint>/samples/seed-<seed>)")
            @Parameter(names = {"--out", "-o"}, absentValue = NONE) String out,
            @Descriptor("checkpoint folder or run folder") String... operands) {
        String checkpoint = operands(TrainCommands.class, "sample", operands)[0];
        Generator g = generator;
        if (g == null) {
            throw new MdmException("no generator is available: " + ComponentHealth.why(components, Generator.class.getName()));
        }
        if (!prompt.isEmpty() && !label.isEmpty()) {
            throw new MdmException("give --prompt or --label, not both");
        }
        GenerationResult r = g.generate(new GenerationRequest(Path.of(checkpoint),
                prompt.isEmpty() ? List.of() : List.of(prompt.split("\\|")),
                label.isEmpty() ? List.of() : List.of(label.split(",")),
                (int) positiveLong("--n", n), steps.isEmpty() ? null : (int) positiveLong("--steps", steps),
                sampler.isEmpty() ? null : sampler, guidance.isEmpty() ? null : guidance(guidance),
                longValue("--seed", seed), bool("--ema", ema), out.isEmpty() ? null : Path.of(out), null));
        StringBuilder s = new StringBuilder();
        s.append(r.images().size()).append(" files in ").append(r.folder()).append('\n');
        for (Path grid : r.grids()) {
            s.append("grid  ").append(grid).append('\n');
        }
        Map<String, Object> d = r.details();
        if (d.get("index") != null) {
            s.append("index ").append(d.get("index")).append("   (file, condition, the checker's verdicts per image)\n");
        }
        s.append(String.format("sampling %s ms (%.1f ms per image), %s steps of %s, guidance %s, %s weights%n",
                d.get("sampling_ms"), (Double) d.get("ms_per_image"), d.get("steps"), d.get("sampler"),
                d.get("guidance"), d.get("weights")));
        if (r.evaluation() != null) {
            s.append("checker ").append(scores(r.evaluation().scores())).append('\n');
        }
        return s.toString();
    }

    /** Prints progress until the job ends (or the command is interrupted), then a summary. */
    private String follow(Job job) throws InterruptedException {
        PrintStream out = System.out;
        ConcurrentLinkedQueue<String> events = new ConcurrentLinkedQueue<>();
        ProgressListener listener = new ProgressListener() {
            private String last;

            @Override
            public void onProgress(Job j, Progress p) {
                if (p.message() != null && !p.message().equals(last)) {
                    last = p.message();
                    events.add(p.message());
                }
            }
        };
        job.addListener(listener);
        String first = job.progress().message(); // null until the job has an event to report
        if (first != null) {
            events.add(first);
        }
        long lastLine = 0;
        long lastStep = -1;
        try {
            while (!job.await(batch ? 1000 : 250, TimeUnit.MILLISECONDS)) {
                drain(events, job, out);
                long now = System.currentTimeMillis();
                long step = job.progress().step();
                if (job.state() == JobState.RUNNING && step > 0 && step != lastStep && now - lastLine >= (batch ? 10_000 : 1000)) {
                    out.println(progressLine(job));
                    lastLine = now;
                    lastStep = step;
                }
            }
        } catch (InterruptedException e) {
            out.println("\nno longer following " + job.id() + "; it goes on: mdm:status " + job.id());
            throw e;
        } finally {
            drain(events, job, out);
            job.removeListener(listener);
        }
        String end = "job " + job.id() + " " + job.state().name().toLowerCase()
                + job.reason().map(r -> ": " + r).orElse("") + "\noutput " + job.output();
        if (job.state() == JobState.FAILED) {
            throw new MdmException(end);
        }
        return end;
    }

    private static void drain(ConcurrentLinkedQueue<String> events, Job job, PrintStream out) {
        for (String e; (e = events.poll()) != null; ) {
            out.println("[" + job.id() + "] " + e);
        }
    }

    static String progressLine(Job job) {
        Progress p = job.progress();
        return String.format("[%s] step %d/%d  %s  loss %s  %.1f img/s  ETA %s", job.id(), p.step(), p.totalSteps(),
                p.stage(), line(p), p.imagesPerSecond(), duration(p.etaSeconds()));
    }

    private static String line(Progress p) {
        if (Double.isNaN(p.loss())) {
            return "-";
        }
        StringBuilder s = new StringBuilder(String.format("%.4f", p.loss()));
        if (p.levelLosses().size() > 1) {
            s.append(" (");
            List<String> parts = new ArrayList<>();
            p.levelLosses().forEach((k, v) -> parts.add(k + "²: " + String.format("%.4f", v)));
            s.append(String.join(", ", parts)).append(')');
        }
        return s.toString();
    }

    static String scores(Map<String, Double> scores) {
        List<String> parts = new ArrayList<>();
        scores.forEach((k, v) -> parts.add(k + " " + String.format("%.0f%%", 100 * v)));
        return String.join(", ", parts);
    }

    static String duration(double seconds) {
        if (!(seconds > 0) || Double.isInfinite(seconds)) {
            return "-";
        }
        long s = Math.round(seconds);
        return s >= 3600 ? String.format("%dh%02dm", s / 3600, (s % 3600) / 60)
                : s >= 60 ? String.format("%dm%02ds", s / 60, s % 60) : s + "s";
    }

    /** The operands of mdm:{@code function}, checked against its {@link Operands}. */
    static String[] operands(Class<?> type, String function, String[] given) {
        return CommandUsage.operands(type, "mdm", function, given);
    }

    private Trainer trainer() {
        Trainer t = trainer;
        if (t == null) {
            throw new MdmException("no trainer is available: " + ComponentHealth.why(components, Trainer.class.getName()));
        }
        return t;
    }

    private Job job(String id) {
        return trainer().job(id).orElseThrow(() -> new MdmException("no job '" + id + "'; mdm:jobs lists them"));
    }

    static long positiveLong(String option, String value) {
        long v = longValue(option, value);
        if (v < 1) {
            throw new MdmException(option + " must be at least 1, got " + value);
        }
        return v;
    }

    static long longValue(String option, String value) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new MdmException(option + " '" + value + "' is not a whole number");
        }
    }

    static double number(String option, String value) {
        try {
            return Double.parseDouble(value.trim());
        } catch (NumberFormatException e) {
            throw new MdmException(option + " '" + value + "' is not a number");
        }
    }

    /** A classifier-free guidance weight: a finite number (NaN or infinity would only give black images). */
    static double guidance(String value) {
        double g = number("--guidance", value);
        if (!Double.isFinite(g)) {
            throw new MdmException("--guidance must be a finite number (1 = no guidance), got " + value.trim());
        }
        return g;
    }

    static boolean bool(String option, String value) {
        return switch (value.trim().toLowerCase()) {
            case "true", "yes", "1" -> true;
            case "false", "no", "0" -> false;
            default -> throw new MdmException(option + " '" + value + "' must be true or false");
        };
    }
}
