package mdm.trainer.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import mdm.api.DjlRuntime;
import mdm.api.conditioning.Conditioner;
import mdm.api.data.DatasetInfo;
import mdm.api.data.Sample;
import mdm.api.eval.EvaluationReport;
import mdm.api.eval.Evaluator;
import mdm.api.model.Backbone;
import mdm.core.image.Previews;
import mdm.core.io.AtomicFiles;
import mdm.core.io.StateDicts;
import mdm.core.optim.ExponentialMovingAverage;
import mdm.core.tensor.Mosaic;
import mdm.diffusion.MultiResolutionProcess;
import mdm.core.config.Json;

/**
 * Turns generated tensors into files people look at: a grid per resolution level with the
 * condition under each cell (an animated GIF for clips), optionally one file per image with an index
 * of them ({@value #INDEX}), and the evaluator's scores when one applies (for a video model, also
 * those of its key-frame levels).
 */
final class SampleWriter {
    record Result(Path grid, List<Path> grids, List<Path> files, List<Sample> samples, Map<String, Double> scores,
                  EvaluationReport report) {
    }

    private SampleWriter() {
    }

    /** A grid from the model being trained, with EMA weights swapped in for the duration. */
    static Result duringTraining(Experiment exp, StagePlan plan, MultiResolutionProcess process, Backbone backbone,
                                 Conditioner conditioner, ExponentialMovingAverage ema, Path folder, String label,
                                 DjlRuntime runtime) {
        var s = exp.spec.sampling();
        List<Sample> conditions = Conditions.of(List.of(), List.of(), s.count(), exp.data, exp.dataset.service(),
                exp.spec.dataset().options(), exp.spec.seed());
        try (NDManager m = runtime.newManager()) {
            Map<String, NDArray> saved = null;
            Map<String, NDArray> live = new LinkedHashMap<>(backbone.parameters());
            conditioner.parameters().forEach((k, v) -> live.put(TrainingRun.CONDITIONER_PREFIX + k, v));
            if (ema != null && s.ema()) {
                saved = TrainingRun.copy(live, m);
                StateDicts.loadStrict(ema.parameters(), live);
            }
            try {
                List<NDArray> levels = SamplingSession.sample(backbone, conditioner, process,
                        exp.sampler.service(), new SamplingSession.Settings(s.steps(), s.guidance(), s.options()),
                        conditions, 3, plan.resolution(), exp.spec.seed(), null, m);
                Evaluator evaluator = exp.evaluator == null ? null : exp.evaluator.service();
                return write(levels, conditions.stream().map(conditioner::conditionOf).toList(), exp.data,
                        exp.tiles(plan), folder, label, false, evaluator);
            } finally {
                if (saved != null) {
                    StateDicts.loadStrict(saved, live);
                }
            }
        }
    }

    /**
     * @param levels     per level, highest first, (n, C, S, S) in [-1, 1]; clips as mosaics
     * @param conditions what each image was generated from, as the conditioner reads it
     * @param tiles  frame tiles per side of each level's mosaic (1 for images)
     * @param singles also write each image (or clip) to its own file
     */
    static Result write(List<NDArray> levels, List<Sample> conditions, DatasetInfo data, List<Integer> tiles,
                        Path folder, String stem, boolean singles, Evaluator evaluator) {
        return write(levels, conditions, data, tiles, folder, stem, singles, evaluator, 0);
    }

    /** @param columns grid columns, or 0 for a square grid */
    static Result write(List<NDArray> levels, List<Sample> conditions, DatasetInfo data, List<Integer> tiles,
                        Path folder, String stem, boolean singles, Evaluator evaluator, int columns) {
        try {
            Files.createDirectories(folder);
        } catch (java.io.IOException e) {
            throw new mdm.api.MdmException("cannot create " + folder + ": " + e.getMessage(), e);
        }
        List<Path> grids = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        List<Sample> top = null;
        Map<Integer, List<Sample>> keyFrameLevels = new LinkedHashMap<>();
        for (int l = 0; l < levels.size(); l++) {
            NDArray x = levels.get(l);
            int t = tiles.get(l);
            int frames = t * t;
            List<Sample> samples = samples(x, conditions, t, data.classNames());
            if (l == 0) {
                top = samples;
            } else if (frames > 1 && samples.get(0).width() == top.get(0).width()) {
                keyFrameLevels.put((int) x.getShape().get(2), samples);
            }
            int side = (int) x.getShape().get(2);
            int cols = columns > 0 ? columns : (int) Math.ceil(Math.sqrt(samples.size()));
            int scale = Math.max(1, 128 / Math.max(1, samples.get(0).width()));
            String name = l == 0 ? stem : stem + "-" + side;
            grids.add(Previews.write(samples, data.classNames(), cols, scale,
                    folder.resolve(name + (frames > 1 ? ".gif" : ".png"))));
            if (singles) {
                Path levelFolder = folder.resolve("level-" + side);
                for (int i = 0; i < samples.size(); i++) {
                    files.add(Previews.write(List.of(samples.get(i)), List.of(), 1, 1,
                            levelFolder.resolve(String.format("%03d", i) + (frames > 1 ? ".gif" : ".png"))));
                    if (frames > 1) {
                        files.addAll(frameFiles(samples.get(i), levelFolder.resolve(String.format("%03d", i))));
                    }
                }
            }
        }
        EvaluationReport report = null;
        Map<String, Double> scores = null;
        if (evaluator != null) {
            report = evaluator.evaluate(top);
            Map<String, Double> all = new LinkedHashMap<>(report.scores());
            scores = all;
            if (!keyFrameLevels.isEmpty()) {
                // a video model's lower levels that keep frames at full size are clips of its key
                // frames: their scores say whether a fault (a wrong direction, say) is already in the
                // key frames or comes from the level that fills in the frames between them
                // (per sample too: samples.tsv then says which clips' key frames already went wrong)
                List<Map<String, Boolean>> perSample = new ArrayList<>();
                report.perSample().forEach(c -> perSample.add(new LinkedHashMap<>(c)));
                for (Map.Entry<Integer, List<Sample>> e : keyFrameLevels.entrySet()) {
                    String prefix = levelPrefix(e.getKey());
                    EvaluationReport keys = evaluator.evaluate(e.getValue());
                    keys.scores().forEach((k, v) -> all.put(prefix + k, v));
                    for (int i = 0; i < Math.min(perSample.size(), keys.perSample().size()); i++) {
                        Map<String, Boolean> row = perSample.get(i);
                        keys.perSample().get(i).forEach((k, v) -> row.put(prefix + k, v));
                    }
                }
                report = new EvaluationReport(all, perSample);
            }
        }
        if (singles) {
            int side = (int) levels.get(0).getShape().get(2);
            String ext = tiles.get(0) > 1 ? ".gif" : ".png";
            AtomicFiles.writeString(folder.resolve(INDEX),
                    index(top, report == null ? null : report.perSample(), "level-" + side + "/", ext));
        }
        return new Result(grids.get(0), grids, files, top, scores, report);
    }

    /** The per-image index beside the single files: which file shows which condition, and what the checker found. */
    static final String INDEX = "samples.tsv";

    /**
     * One row per generated image: its file, the condition it was made from (caption or class) and,
     * when an evaluator checked it, 1 or 0 per check it made (empty where it made none — a position
     * is not checked for a moving shape). The grid shows the same, but only as pictures; this lets
     * anyone count failures by any attribute of the condition (e.g. texture by size).
     */
    static String index(List<Sample> samples, List<Map<String, Boolean>> checks, String prefix, String ext) {
        List<String> keys = new ArrayList<>();
        if (checks != null) {
            checks.forEach(c -> c.keySet().stream().filter(k -> !keys.contains(k)).forEach(keys::add));
        }
        StringBuilder out = new StringBuilder("file\tcondition");
        keys.forEach(k -> out.append('\t').append(k));
        out.append('\n');
        for (int i = 0; i < samples.size(); i++) {
            String condition = samples.get(i).caption();
            out.append(prefix).append(String.format("%03d", i)).append(ext).append('\t')
                    .append(condition == null ? "" : condition.replaceAll("[\\t\\r\\n]+", " "));
            Map<String, Boolean> c = checks != null && i < checks.size() ? checks.get(i) : Map.of();
            for (String k : keys) {
                Boolean v = c.get(k);
                out.append('\t').append(v == null ? "" : v ? "1" : "0");
            }
            out.append('\n');
        }
        return out.toString();
    }

    /**
     * Generated tensors as samples carrying the condition they were made from; a label-only
     * condition is written as its class name, which is what an evaluator can check.
     */
    static List<Sample> samples(NDArray x, List<Sample> conditions, int tiles, List<String> classNames) {
        Shape s = x.getShape();
        int n = (int) s.get(0);
        NDArray seq = tiles > 1 ? Mosaic.frames(x, tiles) : x;
        int frames = tiles * tiles;
        int c = (int) s.get(1);
        int h = (int) s.get(2) / tiles;
        int w = (int) s.get(3) / tiles;
        float[] all = seq.toFloatArray();
        int per = frames * c * h * w;
        List<Sample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            float[] px = new float[per];
            System.arraycopy(all, i * per, px, 0, per);
            Sample cond = conditions.get(i);
            out.add(new Sample(px, frames, c, h, w, cond.label(), cond.caption() != null ? cond.caption()
                    : className(cond.label(), classNames), "generated-" + i));
        }
        return out;
    }

    private static String className(int label, List<String> classNames) {
        return label >= 0 && label < classNames.size() ? classNames.get(label) : null;
    }

    private static List<Path> frameFiles(Sample clip, Path folder) {
        List<Path> files = new ArrayList<>();
        int per = clip.channels() * clip.height() * clip.width();
        for (int f = 0; f < clip.frames(); f++) {
            float[] px = new float[per];
            System.arraycopy(clip.pixels(), f * per, px, 0, per);
            Sample frame = new Sample(px, 1, clip.channels(), clip.height(), clip.width(), -1, null, null);
            files.add(Previews.write(List.of(frame), List.of(), 1, 1, folder.resolve(String.format("frame-%02d.png", f))));
        }
        return files;
    }

    /**
     * The prefix of a key-frame level's scores, by the side of its mosaic: {@code level32.direction}
     * is the direction score of the clips the 32² level (a 2×2 mosaic of key frames) generated.
     */
    static String levelPrefix(int side) {
        return "level" + side + ".";
    }

    static String format(Map<String, Double> scores) {
        return scores.entrySet().stream().map(e -> e.getKey() + "=" + String.format("%.2f", e.getValue()))
                .collect(Collectors.joining(" "));
    }
}
