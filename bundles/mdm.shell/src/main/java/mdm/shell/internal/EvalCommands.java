package mdm.shell.internal;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import mdm.api.MdmException;
import mdm.api.eval.CheckpointEvalRequest;
import mdm.api.eval.CheckpointEvaluator;
import mdm.api.eval.EvalProgress;
import mdm.api.eval.FeatureNetworkInfo;
import mdm.api.eval.FeatureNetworkTrainer;
import mdm.api.eval.QualityReport;
import mdm.api.eval.QualityRequest;
import mdm.api.eval.SampleQuality;
import mdm.core.config.Json;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.runtime.ServiceComponentRuntime;

/** Sample quality from the shell: mdm:eval (a checkpoint, or real data: the floor), mdm:featurenet (train a feature network). */
@Component(service = EvalCommands.class, property = {
        "osgi.command.scope=mdm",
        "osgi.command.function=eval",
        "osgi.command.function=featurenet"})
public class EvalCommands {
    private static final String NONE = "";
    static final String DEFAULT_METRICS = "fd,kid,pr,dc,accuracy";

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile CheckpointEvaluator evaluator;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile SampleQuality quality;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile FeatureNetworkTrainer featureTrainer;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile ServiceComponentRuntime components;
    private final boolean batch;
    private final Path work;

    @Activate
    public EvalCommands(BundleContext context) {
        this.batch = Boolean.parseBoolean(context.getProperty("mdm.batch"));
        String w = context.getProperty("mdm.work");
        this.work = Path.of(w == null ? "work" : w);
    }

    @Descriptor("measure a checkpoint's samples against its training data in a feature network's space (FD, KID, "
            + "precision/recall, density/coverage, accuracy); writes eval.json beside the checkpoint. "
            + "With --real: held-out real images against the training data (the floor)")
    @Operands("[checkpoint] a checkpoint folder or run folder (not with --real)")
    public String eval(
            @Descriptor("images to generate (FD depends on N: compare figures at equal N)")
            @Parameter(names = {"--n", "-n"}, absentValue = "2000") String n,
            @Descriptor("sampler name (default: the experiment's)")
            @Parameter(names = {"--sampler"}, absentValue = NONE) String sampler,
            @Descriptor("inference steps (default: the experiment's)")
            @Parameter(names = {"--steps", "-s"}, absentValue = NONE) String steps,
            @Descriptor("classifier-free guidance weight (default: the experiment's)")
            @Parameter(names = {"--guidance", "-g"}, absentValue = NONE) String guidance,
            @Descriptor("seed of noise, conditions and KID subsets")
            @Parameter(names = {"--seed"}, absentValue = "0") String seed,
            @Descriptor("use the EMA weights (true/false)")
            @Parameter(names = {"--ema"}, absentValue = "true") String ema,
            @Descriptor("metrics: fd, kid, pr (precision/recall), dc (density/coverage), accuracy")
            @Parameter(names = {"--metrics", "-m"}, absentValue = DEFAULT_METRICS) String metrics,
            @Descriptor("feature network by name (default: the one for the dataset; mdm:list shows them)")
            @Parameter(names = {"--features"}, absentValue = NONE) String features,
            @Descriptor("images generated at once")
            @Parameter(names = {"--batch"}, absentValue = "0") String batchSize,
            @Descriptor("also write both sides' feature vectors to features.npz next to eval.json")
            @Parameter(names = {"--save-features"}, presentValue = "true", absentValue = "false") boolean saveFeatures,
            @Descriptor("measure real data instead: a spec file (its dataset section) or a dataset name, "
                    + "optionally with options as JSON: fashion-mnist or shapes:{\"image_size\":64}")
            @Parameter(names = {"--real"}, absentValue = NONE) String real,
            @Descriptor("checkpoint folder or run folder (not with --real)") String... checkpoint) {
        String[] given = TrainCommands.operands(EvalCommands.class, "eval", checkpoint);
        int count = (int) TrainCommands.positiveLong("--n", n);
        Double weight = guidance.isEmpty() ? null : TrainCommands.guidance(guidance);
        List<String> metricList = Arrays.stream(metrics.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        long s = TrainCommands.longValue("--seed", seed);
        Progress progress = new Progress();
        QualityReport r;
        if (!real.isEmpty()) {
            if (given[0] != null) {
                throw new MdmException("give a checkpoint or --real <dataset>, not both");
            }
            Dataset d = dataset(real);
            Path out = work.resolve("eval").resolve(d.name + "-held-out");
            r = quality().measureHeldOut(new QualityRequest(d.name, d.options, features.isEmpty() ? null : features,
                    metricList, count, s, out, saveFeatures, Map.of("source", real)), progress);
        } else {
            if (given[0] == null) {
                throw new MdmException("give one checkpoint (or run folder), e.g. mdm:eval work/runs/shapes-class --n 500");
            }
            CheckpointEvaluator e = evaluator;
            if (e == null) {
                throw new MdmException("no checkpoint evaluator is available: "
                        + ComponentHealth.why(components, CheckpointEvaluator.class.getName()));
            }
            r = e.evaluate(new CheckpointEvalRequest(Path.of(given[0]), count, sampler.isEmpty() ? null : sampler,
                    steps.isEmpty() ? null : (int) TrainCommands.positiveLong("--steps", steps),
                    weight, s,
                    TrainCommands.bool("--ema", ema), metricList, features.isEmpty() ? null : features, saveFeatures,
                    (int) TrainCommands.longValue("--batch", batchSize)), progress);
        }
        progress.done();
        return table(r);
    }

    @Descriptor("train a feature network (a small CNN classifier) from a spec, e.g. samples/featurenets/shapes.yaml;"
            + " it is registered under its name at once and used by mdm:eval")
    @Operands("<spec> the feature network spec, e.g. samples/featurenets/shapes.yaml")
    public String featurenet(
            @Descriptor("output folder (default: <work>/featurenets/<name>)")
            @Parameter(names = {"--out", "-o"}, absentValue = NONE) String out,
            @Descriptor("the feature network spec") String... operands) {
        String spec = TrainCommands.operands(EvalCommands.class, "featurenet", operands)[0];
        FeatureNetworkTrainer t = featureTrainer;
        if (t == null) {
            throw new MdmException("no feature network trainer is available: "
                    + ComponentHealth.why(components, FeatureNetworkTrainer.class.getName()));
        }
        PrintStream console = System.out;
        FeatureNetworkInfo info = t.train(Path.of(spec), out.isEmpty() ? null : Path.of(out),
                line -> console.println("[featurenet] " + line));
        StringBuilder b = new StringBuilder();
        b.append("feature network '").append(info.name()).append("' (").append(info.dim()).append("-d features, input ")
                .append(info.inputSize()).append("², ").append(info.channels()).append(" channel(s)), sha256 ")
                .append(info.weightsHash(), 0, 16).append("…\n");
        info.testAccuracy().forEach((k, v) -> b.append(String.format("  test accuracy %-12s %.4f%n", k, v)));
        b.append("  registered now; mdm:eval uses it for ").append(String.join(", ", info.datasets()));
        return b.toString();
    }

    private SampleQuality quality() {
        SampleQuality q = quality;
        if (q == null) {
            throw new MdmException("no sample-quality service is available (install the mdm-eval feature): "
                    + ComponentHealth.why(components, SampleQuality.class.getName()));
        }
        return q;
    }

    record Dataset(String name, Map<String, Object> options) {
    }

    /** A spec file's dataset section, or {@code name} / {@code name:{json options}}. */
    @SuppressWarnings("unchecked")
    static Dataset dataset(String given) {
        Path file = Path.of(given);
        if ((given.endsWith(".yaml") || given.endsWith(".yml") || given.endsWith(".json")) && Files.isRegularFile(file)) {
            var tree = Json.read(file);
            var d = tree.path("components").path("dataset");
            if (d.isTextual()) {
                return new Dataset(d.asText(), Map.of());
            }
            if (!d.isObject() || !d.path("name").isTextual()) {
                throw new MdmException(given + " has no components.dataset section to measure");
            }
            Map<String, Object> options = new LinkedHashMap<>(Json.mapper().convertValue(d, Map.class));
            options.remove("name");
            return new Dataset(d.path("name").asText(), options);
        }
        int colon = given.indexOf(':');
        if (colon < 0) {
            return new Dataset(given.trim(), Map.of());
        }
        return new Dataset(given.substring(0, colon).trim(),
                Json.mapper().convertValue(Json.parse(given.substring(colon + 1)), Map.class));
    }

    static String table(QualityReport r) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"FIGURE", "VALUE"});
        r.figures().forEach((k, v) -> rows.add(new String[] {k, format(k, v)}));
        Map<String, Object> d = r.details();
        StringBuilder s = new StringBuilder();
        s.append(d.get("what")).append('\n');
        s.append(String.format("N = %,d generated/measured, %,d real (%s %s); feature network %s (sha256 %s…)%n",
                r.n(), r.realCount(), d.get("dataset"), Json.write(d.get("dataset_options")).replace("\n", ""),
                r.network(), r.weightsHash().substring(0, Math.min(12, r.weightsHash().length()))));
        if (d.containsKey("sampler")) {
            s.append(String.format("%s, %s steps, guidance %s, %s weights, seed %s%n", d.get("sampler"), d.get("steps"),
                    d.get("guidance"), d.get("weights"), d.get("seed")));
        }
        if (d.containsKey("held_out")) {
            s.append("held-out: ").append(d.get("held_out")).append('\n');
        }
        s.append(Tables.format(rows));
        s.append("time ").append(d.get("timings")).append('\n');
        if (r.file() != null) {
            s.append("wrote ").append(r.file()).append('\n');
        }
        return s.toString();
    }

    private static String format(String name, double v) {
        return name.startsWith("fd") ? String.format("%.3f", v)
                : name.startsWith("kid") ? String.format("%.5f", v) : String.format("%.4f", v);
    }

    /** One progress line per phase step: every second in the shell, every 10 s when ./mdm runs one command. */
    private final class Progress implements Consumer<EvalProgress> {
        private final PrintStream out = System.out;
        private long last;
        private String phase;

        @Override
        public void accept(EvalProgress p) {
            long now = System.currentTimeMillis();
            boolean newPhase = !p.phase().equals(phase);
            if (newPhase || now - last >= (batch ? 10_000 : 1000) || p.done() == p.total()) {
                phase = p.phase();
                last = now;
                out.printf("%-10s %,d/%,d  %.1f/s  ETA %s%n", p.phase(), p.done(), p.total(), p.perSecond(),
                        TrainCommands.duration(p.etaSeconds()));
            }
        }

        void done() {
            out.flush();
        }
    }
}
