package mdm.study.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import mdm.core.config.Json;

/**
 * The study's results from its run folders: {@code report.md} (a table per figure, arm × point,
 * mean ± standard deviation over seeds; the cost of each arm; how to rerun), {@code study.json}
 * (every number, the resolved specs, seeds and component bundles), {@code fd-vs-images.png},
 * {@code fd-vs-time.png} and a sample grid per arm. Written from whatever is finished, so a partial
 * study has a partial report.
 */
final class StudyReport {
    private StudyReport() {
    }

    /** Mean, sample standard deviation (n − 1; NaN for one value) and count. */
    record Stat(double mean, double std, int n) {
        static Stat of(List<Double> values) {
            int n = values.size();
            if (n == 0) {
                return new Stat(Double.NaN, Double.NaN, 0);
            }
            double m = values.stream().mapToDouble(Double::doubleValue).sum() / n;
            double ss = 0;
            for (double v : values) {
                ss += (v - m) * (v - m);
            }
            return new Stat(m, n > 1 ? Math.sqrt(ss / (n - 1)) : Double.NaN, n);
        }
    }

    /** What every arm reached at every point. */
    record ArmResult(StudyPlan.Arm arm, Map<String, Stat[]> figures, Stat[] images, Stat[] seconds,
                     Stat trainSeconds, double evalSeconds, long parameters, double gflopPerStep, long totalImages,
                     Path grid) {
    }

    static Path write(StudyPlan plan, Consumer<String> log) {
        Path folder = plan.folder();
        try {
            Files.createDirectories(folder);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<ArmResult> results = new ArrayList<>();
        Set<String> figureNames = new LinkedHashSet<>();
        for (StudyPlan.Arm arm : plan.arms()) {
            ArmResult r = collect(plan, arm);
            results.add(r);
            figureNames.addAll(r.figures().keySet());
        }
        writePlots(plan, results, figureNames);
        writeJson(plan, results);
        Path report = folder.resolve("report.md");
        try {
            Files.writeString(report, markdown(plan, results, figureNames));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + report, e);
        }
        return report;
    }

    static ArmResult collect(StudyPlan plan, StudyPlan.Arm arm) {
        int p = plan.points();
        Map<String, List<List<Double>>> values = new LinkedHashMap<>();
        List<List<Double>> images = lists(p);
        List<List<Double>> seconds = lists(p);
        List<Double> train = new ArrayList<>();
        double eval = 0;
        long parameters = 0;
        double gflop = Double.NaN;
        long totalImages = 0;
        Path grid = null;
        for (StudyPlan.Run run : arm.runs()) {
            Path folder = run.folder(plan.folder());
            RunState rs = RunState.load(folder);
            for (Map.Entry<Integer, JsonNode> e : rs.evaluations().entrySet()) {
                int k = e.getKey() - 1;
                if (k < 0 || k >= p) {
                    continue;
                }
                JsonNode rec = e.getValue();
                rec.path("figures").fields().forEachRemaining(f -> values.computeIfAbsent(f.getKey(), x -> lists(p))
                        .get(k).add(f.getValue().asDouble()));
                images.get(k).add(rec.path("images_seen").asDouble());
                if (rec.has("train_seconds")) {
                    seconds.get(k).add(rec.path("train_seconds").asDouble());
                }
                eval += rec.path("eval_seconds").asDouble();
                if (k == p - 1) {
                    if (rec.has("train_seconds")) {
                        train.add(rec.path("train_seconds").asDouble());
                    }
                    totalImages = Math.max(totalImages, rec.path("images_seen").asLong());
                }
            }
            if (parameters == 0) {
                parameters = parameters(folder);
            }
            if (Double.isNaN(gflop)) {
                gflop = gflopPerStep(folder);
            }
            if (grid == null) {
                grid = grid(folder).orElse(null);
            }
        }
        Map<String, Stat[]> figures = new LinkedHashMap<>();
        values.forEach((name, lists) -> figures.put(name, stats(lists)));
        return new ArmResult(arm, figures, stats(images), stats(seconds), Stat.of(train), eval, parameters, gflop,
                totalImages, grid);
    }

    private static void writePlots(StudyPlan plan, List<ArmResult> results, Set<String> figureNames) {
        if (figureNames.isEmpty()) {
            return;
        }
        String figure = figureNames.contains("fd") ? "fd" : figureNames.iterator().next();
        List<StudyPlots.Series> byImages = new ArrayList<>();
        List<StudyPlots.Series> byTime = new ArrayList<>();
        for (ArmResult r : results) {
            Stat[] f = r.figures().get(figure);
            if (f == null) {
                continue;
            }
            byImages.add(new StudyPlots.Series(r.arm().name(), means(r.images()), means(f), stds(f)));
            byTime.add(new StudyPlots.Series(r.arm().name(), means(r.seconds()), means(f), stds(f)));
        }
        String what = figure.equals("fd") || figure.startsWith("kid") ? figure + " (lower is better)" : figure;
        StudyPlots.write(plan.name() + ": " + figure + " against training images seen", "training images seen", what,
                byImages, plan.folder().resolve(figure + "-vs-images.png"));
        StudyPlots.write(plan.name() + ": " + figure + " against training time", "training wall-clock seconds", what,
                byTime, plan.folder().resolve(figure + "-vs-time.png"));
    }

    private static void writeJson(StudyPlan plan, List<ArmResult> results) {
        ObjectNode root = StudyFolder.record(plan);
        root.set("study_file", plan.source());
        root.put("rerun", command(plan));
        ArrayNode arms = root.putArray("results");
        for (ArmResult r : results) {
            ObjectNode a = arms.addObject();
            a.put("arm", r.arm().name());
            if (r.arm().description() != null) {
                a.put("description", r.arm().description());
            }
            ObjectNode cost = a.putObject("cost");
            cost.put("images", r.totalImages());
            cost.put("parameters", r.parameters());
            putNumber(cost, "gflop_per_step", r.gflopPerStep());
            putStat(cost, "train_seconds", r.trainSeconds());
            cost.put("eval_seconds", r.evalSeconds());
            ArrayNode points = a.putArray("points");
            for (int k = 0; k < plan.points(); k++) {
                ObjectNode pn = points.addObject();
                pn.put("point", k + 1);
                pn.put("label", plan.pointLabel(k + 1));
                putStat(pn, "images_seen", r.images()[k]);
                putStat(pn, "train_seconds", r.seconds()[k]);
                ObjectNode fig = pn.putObject("figures");
                final int kk = k;
                r.figures().forEach((name, st) -> putStat(fig, name, st[kk]));
            }
            ArrayNode runs = a.putArray("runs");
            for (StudyPlan.Run run : r.arm().runs()) {
                Path folder = run.folder(plan.folder());
                ObjectNode rn = runs.addObject();
                rn.put("seed", run.seed());
                rn.put("folder", plan.folder().relativize(folder).toString()); // relative to the study folder
                ObjectNode spec = run.spec().deepCopy();
                if (spec.path("output").isTextual()) {
                    spec.put("output", plan.folder().relativize(Path.of(spec.path("output").asText())).toString());
                }
                rn.set("spec", spec);
                Path exp = folder.resolve("experiment.json");
                if (Files.isRegularFile(exp)) {
                    rn.set("components", Json.read(exp).path("components"));
                }
                ArrayNode evals = rn.putArray("evaluations");
                RunState.load(folder).evaluations().values().forEach(evals::add);
            }
        }
        try {
            Files.writeString(plan.folder().resolve("study.json"), Json.write(root));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String markdown(StudyPlan plan, List<ArmResult> results, Set<String> figureNames) {
        StringBuilder md = new StringBuilder();
        md.append("# Study ").append(plan.name()).append("\n\n");
        if (plan.description() != null) {
            md.append(plan.description().strip()).append("\n\n");
        }
        StudyPlan.Evaluation e = plan.evaluation();
        md.append("Budget: **").append(plan.budget().describe()).append("** per run; ").append(plan.seeds().size())
                .append(" seeds per arm (").append(plan.seeds()).append("); ").append(plan.points())
                .append(" evaluation point(s) at equal fractions of each arm's budget, each measured on ")
                .append(String.format("%,d", e.n())).append(" generated images with ")
                .append(e.ema() ? "the EMA weights" : "the raw weights").append(", evaluation seed ").append(e.seed())
                .append(e.steps() != null ? ", " + e.steps() + " sampling steps" : ", the spec's sampling steps")
                .append(e.guidance() != null ? ", guidance " + e.guidance() : ", the spec's guidance").append(".\n");
        md.append("Each cell: mean ± standard deviation over seeds (n − 1); a cell measured for fewer seeds than the "
                + "study has says how many.\n\n");
        if (Files.isRegularFile(plan.folder().resolve(StudyPlanner.PLAN_FILE))) {
            var status = StudyStatusReader.read(plan.folder(), null);
            long done = status.runs().stream().filter(r -> r.state().equals("done")).count();
            md.append("Runs measured at every point: ").append(done).append(" of ").append(status.runs().size())
                    .append(done < status.runs().size() ? " (the study is not finished: this report shows what is done)" : "")
                    .append(".\n\n");
        }
        for (String f : figureNames) {
            if (f.endsWith("_std")) {
                continue; // a spread within one run (KID over subsets): in study.json, not a figure to compare
            }
            md.append("## ").append(f).append("\n\n| arm |");
            for (int k = 1; k <= plan.points(); k++) {
                md.append(' ').append(plan.pointLabel(k)).append(" |");
            }
            md.append("\n|---|");
            md.append("---|".repeat(plan.points()));
            md.append('\n');
            for (ArmResult r : results) {
                md.append("| ").append(r.arm().name()).append(" |");
                Stat[] st = r.figures().get(f);
                for (int k = 0; k < plan.points(); k++) {
                    md.append(' ').append(st == null ? "—" : cell(st[k], plan.seeds().size())).append(" |");
                }
                md.append('\n');
            }
            md.append('\n');
        }
        notMeasured(plan, results, md);
        md.append("## Images seen at each point\n\n| arm |");
        for (int k = 1; k <= plan.points(); k++) {
            md.append(' ').append(plan.pointLabel(k)).append(" |");
        }
        md.append("\n|---|").append("---|".repeat(plan.points())).append('\n');
        for (ArmResult r : results) {
            md.append("| ").append(r.arm().name()).append(" |");
            for (int k = 0; k < plan.points(); k++) {
                Stat s = r.images()[k];
                md.append(' ').append(s.n() == 0 ? "—" : String.format("%,d", Math.round(s.mean()))).append(" |");
            }
            md.append('\n');
        }
        md.append("\n## Cost per arm\n\n| arm | training images | parameters | GFLOP per step | training wall time (s) "
                + "| evaluation time (s, all seeds) |\n|---|---|---|---|---|---|\n");
        for (ArmResult r : results) {
            md.append("| ").append(r.arm().name()).append(" | ")
                    .append(r.totalImages() == 0 ? "—" : String.format("%,d", r.totalImages())).append(" | ")
                    .append(r.parameters() == 0 ? "—" : String.format("%,d", r.parameters())).append(" | ")
                    .append(Double.isNaN(r.gflopPerStep()) ? "—" : String.format("%.3f", r.gflopPerStep())).append(" | ")
                    .append(cell(r.trainSeconds(), plan.seeds().size())).append(" | ")
                    .append(String.format("%.0f", r.evalSeconds())).append(" |\n");
        }
        md.append("\nParameters: the trained network of the last stage (from its checkpoint). GFLOP per step: a "
                + "training step's multiply-adds × 2 as the trainer counted them in its forward pass, × 3 for the "
                + "backward pass (frozen parts, such as a latent model's encoder, are counted × 3 too: an upper "
                + "bound), for the last stage's batch. Wall time: from the start of training to the last "
                + "point's checkpoint, on this machine, with the trainer's start, checkpoints and sample grids "
                + "included and evaluation excluded; the first run of a study also pays the runtime's warm-up.\n\n");
        md.append("## Plots and samples\n\n");
        String figure = figureNames.contains("fd") ? "fd" : figureNames.isEmpty() ? null : figureNames.iterator().next();
        if (figure != null) {
            md.append("![").append(figure).append(" against images](").append(figure).append("-vs-images.png)\n\n");
            md.append("![").append(figure).append(" against time](").append(figure).append("-vs-time.png)\n\n");
        }
        for (ArmResult r : results) {
            if (r.grid() != null) {
                String name = "grid-" + r.arm().name() + ".png";
                try {
                    Files.copy(r.grid(), plan.folder().resolve(name), StandardCopyOption.REPLACE_EXISTING);
                } catch (IOException ex) {
                    throw new UncheckedIOException(ex);
                }
                md.append("**").append(r.arm().name()).append("** (seed ").append(r.arm().runs().get(0).seed())
                        .append(", end of training): ![").append(r.arm().name()).append("](").append(name).append(")\n\n");
            }
        }
        md.append("## Arms\n\n");
        for (StudyPlan.Arm a : plan.arms()) {
            StudyPlan.Run r0 = a.runs().get(0);
            md.append("- **").append(a.name()).append("**");
            if (a.description() != null) {
                md.append(": ").append(a.description().strip());
            }
            md.append(" — stages ").append(java.util.Arrays.toString(r0.stageSteps())).append(" steps × ")
                    .append(java.util.Arrays.toString(r0.imagesPerStep())).append(" images per step");
            if (!a.features().isEmpty()) {
                md.append("; features installed: ").append(String.join(", ", a.features()));
            }
            md.append("; resolved spec `").append(plan.folder().relativize(r0.folder(plan.folder()))).append("/spec.json`\n");
        }
        md.append("\n## Rerun\n\n```\n").append(command(plan)).append("\n```\n\n")
                .append("The study file as started is `study").append(ext(plan.file())).append("` here; every run's "
                        + "resolved spec is `runs/<arm>/seed-<seed>/spec.json`, the bundles and versions of the "
                        + "components it used are in its `experiment.json` and in `study.json`, which holds every "
                        + "number of this report.\n");
        return md.toString();
    }

    /** The command that runs (or resumes) this study, with the file relative to where the runtime was started. */
    /** Points an arm could not be measured at (no generative model yet), with the reason: the "—" cells. */
    private static void notMeasured(StudyPlan plan, List<ArmResult> results, StringBuilder md) {
        StringBuilder lines = new StringBuilder();
        for (ArmResult r : results) {
            for (StudyPlan.Run run : r.arm().runs()) {
                RunState.load(run.folder(plan.folder())).evaluations().forEach((k, rec) -> {
                    if (rec.has("not_measured")) {
                        lines.append("- ").append(r.arm().name()).append(", seed ").append(run.seed()).append(", ")
                                .append(plan.pointLabel(k)).append(" (step ").append(rec.path("step").asLong())
                                .append("): ").append(rec.path("not_measured").asText()).append('\n');
                    }
                });
            }
        }
        if (!lines.isEmpty()) {
            md.append("## Points not measured\n\nShown as — above: the arm had nothing to sample from at that point.\n\n")
                    .append(lines).append('\n');
        }
    }

    private static String command(StudyPlan plan) {
        return "./mdm mdm:study " + StudyFolder.shown(plan.file());
    }

    private static String cell(Stat s, int seeds) {
        if (s.n() == 0) {
            return "—";
        }
        String v = Double.isNaN(s.std()) ? String.format("%.4g", s.mean())
                : String.format("%.4g ± %.2g", s.mean(), s.std());
        return s.n() < seeds ? v + " (" + s.n() + " of " + seeds + ")" : v;
    }

    /** Parameters of the newest checkpoint's network, from its safetensors header. */
    static long parameters(Path run) {
        long step = RunState.Checkpoints.latest(run);
        if (step == 0) {
            return 0;
        }
        Path file = RunState.Checkpoints.folder(run, step).resolve("model.safetensors");
        if (!Files.isRegularFile(file)) {
            return 0;
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] len = in.readNBytes(8);
            long n = ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN).getLong();
            if (n <= 0 || n > 100_000_000) {
                return 0;
            }
            JsonNode header = Json.mapper().readTree(new String(in.readNBytes((int) n), java.nio.charset.StandardCharsets.UTF_8));
            long total = 0;
            for (var it = header.fields(); it.hasNext(); ) {
                var e = it.next();
                if (e.getKey().equals("__metadata__")) {
                    continue;
                }
                long count = 1;
                for (JsonNode d : e.getValue().path("shape")) {
                    count *= d.asLong();
                }
                total += count;
            }
            return total;
        } catch (IOException e) {
            return 0;
        }
    }

    /** The trainer's count for the last stage (metrics.jsonl, {@code gflop_per_step}), or NaN. */
    static double gflopPerStep(Path run) {
        Path metrics = run.resolve("metrics.jsonl");
        if (!Files.isRegularFile(metrics)) {
            return Double.NaN;
        }
        double last = Double.NaN;
        try (Stream<String> lines = Files.lines(metrics)) {
            for (String line : (Iterable<String>) lines::iterator) {
                if (line.contains("gflop_per_step")) {
                    try {
                        last = Json.mapper().readTree(line).path("gflop_per_step").asDouble(Double.NaN);
                    } catch (IOException ignored) {
                        // a line cut by a crash
                    }
                }
            }
        } catch (IOException e) {
            return Double.NaN;
        }
        return last;
    }

    /** The run's final sample grid (else its newest one). */
    static Optional<Path> grid(Path run) {
        Path finalGrid = run.resolve("samples").resolve("final.png");
        if (Files.isRegularFile(finalGrid)) {
            return Optional.of(finalGrid);
        }
        Path dir = run.resolve("samples");
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().matches("step-\\d+\\.png")).max(Path::compareTo);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static List<List<Double>> lists(int n) {
        List<List<Double>> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new ArrayList<>());
        }
        return out;
    }

    private static Stat[] stats(List<List<Double>> lists) {
        Stat[] out = new Stat[lists.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = Stat.of(lists.get(i));
        }
        return out;
    }

    private static double[] means(Stat[] s) {
        double[] out = new double[s.length];
        for (int i = 0; i < s.length; i++) {
            out[i] = s[i].mean();
        }
        return out;
    }

    private static double[] stds(Stat[] s) {
        double[] out = new double[s.length];
        for (int i = 0; i < s.length; i++) {
            out[i] = s[i].std();
        }
        return out;
    }

    private static void putStat(ObjectNode o, String name, Stat s) {
        ObjectNode n = o.putObject(name);
        putNumber(n, "mean", s.mean());
        putNumber(n, "std", s.std());
        n.put("n", s.n());
    }

    private static void putNumber(ObjectNode o, String name, double v) {
        if (Double.isFinite(v)) {
            o.put(name, v);
        } else {
            o.putNull(name);
        }
    }

    private static String ext(Path file) {
        String n = file.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(dot) : ".yaml";
    }
}
