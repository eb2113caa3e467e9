package mdm.study.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import mdm.api.MdmException;
import mdm.api.train.ExperimentSpec;
import mdm.api.train.StageSpec;
import mdm.core.config.Json;

/**
 * Reads a study file and checks everything before anything trains: the file's keys, seeds, budget
 * and evaluation; each arm's spec with its overrides and features (validated by the trainer against
 * the components registered, with the arm's features installed); that a budget in steps compares
 * the arms; and that the study folder is this study's.
 */
final class StudyPlanner {
    static final String PLAN_FILE = "plan.json";
    private static final String NAME = "[A-Za-z0-9._-]+";

    /** Validates a spec file against the registry (the trainer's validate); what the budget needs of it. */
    interface SpecValidator {
        Stages validate(Path spec);
    }

    /** Each stage's steps as the spec gives them and its training images per optimiser step. */
    record Stages(long[] steps, long[] imagesPerStep) {
        static Stages of(ExperimentSpec spec) {
            int n = spec.stages().size();
            long[] steps = new long[n];
            long[] perStep = new long[n];
            for (int i = 0; i < n; i++) {
                StageSpec s = spec.stages().get(i);
                steps[i] = s.steps();
                perStep[i] = (long) (s.batchSize() > 0 ? s.batchSize() : spec.training().batchSize())
                        * spec.optimizer().accumulationSteps();
            }
            return new Stages(steps, perStep);
        }
    }

    private final SpecValidator validator;
    private final FeatureSwitch features;
    private final Path work;

    StudyPlanner(SpecValidator validator, FeatureSwitch features, Path work) {
        this.validator = validator;
        this.features = features;
        this.work = work;
    }

    StudyPlan plan(Path studyFile) {
        Path file = studyFile.toAbsolutePath().normalize();
        JsonNode source = Json.read(file);
        if (source == null || !source.isObject()) {
            throw new MdmException("a study file must be a mapping with arms, budget, evaluation and seeds; see "
                    + "samples/studies/quick.yaml");
        }
        StudyFile f = Json.bind(source, StudyFile.class, "study");
        String name = f.name() != null ? f.name() : stem(file);
        if (!name.matches(NAME)) {
            throw new MdmException("study name '" + name + "' may contain only letters, digits, '.', '_' and '-'");
        }
        List<Long> seeds = seeds(f.seeds());
        Budget budget = Budget.of(f.budget());
        int points = points(f.evaluation());
        StudyPlan.Evaluation evaluation = evaluation(f.evaluation());
        if (f.arms() == null || f.arms().isEmpty()) {
            throw new MdmException("the study has no arms: list them under arms:, each with a name and a spec "
                    + "(or the study's base) and optional overrides and features");
        }
        Path folder = work.resolve(f.folder() != null ? f.folder() : "studies/" + name).toAbsolutePath().normalize();
        JsonNode recorded = checkFolder(folder, name);
        Set<String> names = new LinkedHashSet<>();
        List<StudyPlan.Arm> arms = new ArrayList<>();
        for (StudyFile.ArmFile a : f.arms()) {
            if (a.name() == null || !a.name().matches(NAME)) {
                throw new MdmException("every arm needs a name of letters, digits, '.', '_' and '-', got '" + a.name() + "'");
            }
            if (!names.add(a.name())) {
                throw new MdmException("two arms are named '" + a.name() + "': give each arm its own name");
            }
            arms.add(arm(a, f, file, name, folder, seeds, budget, points, evaluation));
        }
        if (budget.kind() == Budget.Kind.STEPS) {
            checkComparableSteps(arms);
        }
        StudyPlan plan = new StudyPlan(name, f.description(), file, folder, budget, evaluation, points, seeds,
                arms, source);
        checkRecordedRuns(plan, recorded);
        return plan;
    }

    private StudyPlan.Arm arm(StudyFile.ArmFile a, StudyFile f, Path file, String study, Path folder, List<Long> seeds,
                              Budget budget, int points, StudyPlan.Evaluation evaluation) {
        String where = "arm '" + a.name() + "'";
        String specName = a.spec() != null ? a.spec() : f.base();
        if (specName == null) {
            throw new MdmException(where + " names no spec and the study has no base: add spec: <file> to the arm or "
                    + "base: <file> to the study");
        }
        Path specFile = file.getParent().resolve(specName).normalize();
        if (!Files.isRegularFile(specFile)) {
            throw new MdmException(where + ": spec file not found: " + specFile + " (paths are relative to the "
                    + "study file)");
        }
        List<String> feats = a.features() == null ? List.of() : List.copyOf(a.features());
        for (String feature : feats) {
            features.check(feature, where);
        }
        // the arm's specs are checked against the components registered with its features installed
        return features.with(feats, () -> resolve(a, f, file, study, folder, seeds, budget, points, evaluation,
                specFile, feats, where));
    }

    private StudyPlan.Arm resolve(StudyFile.ArmFile a, StudyFile f, Path file, String study, Path folder,
                                  List<Long> seeds, Budget budget, int points, StudyPlan.Evaluation evaluation,
                                  Path specFile, List<String> feats, String where) {
        JsonNode base = Json.read(specFile);
        if (base == null || !base.isObject()) {
            throw new MdmException(where + ": " + specFile + " is not an experiment spec (a mapping)");
        }
        ObjectNode tree = ((ObjectNode) base).deepCopy();
        if (tree.hasNonNull("import")) {
            tree.put("import", specFile.getParent().resolve(tree.get("import").asText()).normalize().toString());
        }
        SpecOverrides.apply(tree, f.common(), where + " (from the study's common overrides)");
        SpecOverrides.apply(tree, a.overrides(), where);
        if (tree.hasNonNull("import") && !Path.of(tree.get("import").asText()).isAbsolute()) {
            tree.put("import", file.getParent().resolve(tree.get("import").asText()).normalize().toString());
        }
        tree.remove("evaluation"); // the study measures every arm the same way, from its checkpoints
        tree.put("name", study + "-" + a.name());
        long firstSeed = seeds.get(0);
        tree.put("seed", firstSeed);
        ObjectNode training = tree.has("training") && tree.get("training").isObject()
                ? (ObjectNode) tree.get("training") : tree.putObject("training");
        Stages spec = validate(tree, where);
        int stages = spec.steps().length;
        long[] perStep = spec.imagesPerStep();
        long[] steps = spec.steps();
        long[] scaled = switch (budget.kind()) {
            case IMAGES -> scale(steps, perStep, budget.amount(), points, where);
            case STEPS -> scale(steps, ones(stages), budget.amount(), points, where);
            case SECONDS -> steps;
        };
        long total = 0;
        for (long s : scaled) {
            total += s;
        }
        ArrayNode stageNodes = (ArrayNode) tree.get("stages");
        for (int i = 0; i < stages; i++) {
            ((ObjectNode) stageNodes.get(i)).put("steps", scaled[i]);
        }
        long[] pointSteps = new long[budget.kind() == Budget.Kind.SECONDS ? 0 : points];
        for (int k = 0; k < pointSteps.length; k++) {
            pointSteps[k] = total / points * (k + 1);
        }
        training.put("checkpoint_every", budget.kind() == Budget.Kind.SECONDS ? total : total / points);
        training.put("keep_checkpoints", points + stages + 8);
        if (budget.kind() != Budget.Kind.SECONDS) {
            validate(tree, where); // the budget's stage lengths must fit too (e.g. freeze_inner_steps)
        }
        List<StudyPlan.Run> runs = new ArrayList<>();
        for (long seed : seeds) {
            ObjectNode s = tree.deepCopy();
            s.put("seed", seed);
            StudyPlan.Run probe = new StudyPlan.Run(a.name(), seed, s, scaled, perStep, pointSteps, "");
            s.put("output", probe.folder(folder).toString());
            runs.add(new StudyPlan.Run(a.name(), seed, s, scaled, perStep, pointSteps,
                    fingerprint(s, evaluation, budget, points, feats)));
        }
        return new StudyPlan.Arm(a.name(), a.description(), feats, runs);
    }

    /** Validates the tree (the arm's features are installed meanwhile); the message says which arm. */
    private Stages validate(ObjectNode tree, String where) {
        Path tmp = null;
        try {
            tmp = Files.createTempFile("mdm-study-arm", ".json");
            Files.writeString(tmp, Json.write(tree));
            return validator.validate(tmp);
        } catch (MdmException e) {
            throw new MdmException(where + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // a temporary file
                }
            }
        }
    }

    /**
     * Stage lengths scaled so that they add up to {@code amount} (images or steps, with
     * {@code perStep} of them per step), keeping the stages' proportions of the spec; the total steps
     * are rounded up to a multiple of the evaluation points, so that each point falls on a step.
     */
    static long[] scale(long[] steps, long[] perStep, long amount, int points, String where) {
        double specAmount = 0;
        for (int i = 0; i < steps.length; i++) {
            specAmount += (double) steps[i] * perStep[i];
        }
        double factor = amount / specAmount;
        long[] out = new long[steps.length];
        long used = 0;
        int last = steps.length - 1;
        for (int i = 0; i < last; i++) {
            out[i] = Math.max(1, Math.round(steps[i] * factor));
            used += out[i] * perStep[i];
        }
        out[last] = Math.max(1, Math.round((amount - used) / (double) perStep[last]));
        long total = 0;
        for (long s : out) {
            total += s;
        }
        if (total < points) {
            throw new MdmException(where + ": the budget gives only " + total + " optimiser steps, fewer than the "
                    + points + " evaluation points: raise the budget or lower the points");
        }
        if (total % points != 0) {
            out[last] += points - total % points;
        }
        return out;
    }

    /** Steps compare arms only when every stage of every arm sees the same images per step. */
    private static void checkComparableSteps(List<StudyPlan.Arm> arms) {
        Map<Long, String> seen = new LinkedHashMap<>();
        for (StudyPlan.Arm a : arms) {
            StudyPlan.Run r = a.runs().get(0);
            for (int i = 0; i < r.imagesPerStep().length; i++) {
                seen.putIfAbsent(r.imagesPerStep()[i], "arm '" + a.name() + "' stage " + (i + 1));
            }
        }
        if (seen.size() > 1) {
            StringBuilder sb = new StringBuilder();
            seen.forEach((images, where) -> sb.append(sb.length() > 0 ? ", " : "").append(where).append(": ")
                    .append(images).append(" images per step"));
            throw new MdmException("a budget in steps does not compare these arms: " + sb
                    + ". Use budget: {images: N} (training images seen) instead");
        }
    }

    /** Refuses a folder that holds another study, or something that is not a study. */
    private static JsonNode checkFolder(Path folder, String name) {
        Path planFile = folder.resolve(PLAN_FILE);
        if (Files.isRegularFile(planFile)) {
            JsonNode recorded = Json.read(planFile);
            String other = recorded.path("study").asText("");
            if (!other.equals(name)) {
                throw new MdmException("the study folder " + folder + " holds study '" + other + "', not '" + name
                        + "': give this study another folder (folder: in the study file) or remove that one");
            }
            return recorded;
        }
        if (Files.isDirectory(folder)) {
            try (Stream<Path> s = Files.list(folder)) {
                if (s.findAny().isPresent()) {
                    throw new MdmException("the folder " + folder + " is not empty and holds no study (no " + PLAN_FILE
                            + "): give this study another folder (folder: in the study file)");
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return null;
    }

    /** A run folder trained with another spec or other evaluation settings cannot be resumed by this study. */
    private static void checkRecordedRuns(StudyPlan plan, JsonNode recorded) {
        for (StudyPlan.Arm a : plan.arms()) {
            for (StudyPlan.Run r : a.runs()) {
                RunState state = RunState.load(r.folder(plan.folder()));
                if (state.exists() && !state.fingerprint().equals(r.fingerprint())) {
                    throw new MdmException("arm '" + a.name() + "' seed " + r.seed() + " in " + r.folder(plan.folder())
                            + " was trained or measured with another spec, budget or evaluation than the study "
                            + "file gives now; the study cannot resume it. Give the changed study another folder, "
                            + "or remove " + r.folder(plan.folder()) + " to train that run again");
                }
            }
        }
    }

    private static List<Long> seeds(JsonNode node) {
        List<Long> seeds = new ArrayList<>();
        if (node == null || node.isNull()) {
            throw new MdmException("the study gives no seeds: seeds: 2 (seeds 1 and 2) or seeds: [7, 11]; at least 2 "
                    + "so that each figure has a spread");
        }
        if (node.canConvertToLong() && node.isIntegralNumber()) {
            for (long s = 1; s <= node.asLong(); s++) {
                seeds.add(s);
            }
        } else if (node.isArray()) {
            node.forEach(n -> {
                if (!n.isIntegralNumber()) {
                    throw new MdmException("seeds must be whole numbers, got " + n);
                }
                seeds.add(n.asLong());
            });
        } else {
            throw new MdmException("seeds must be a count or a list of whole numbers, got " + node);
        }
        if (new LinkedHashSet<>(seeds).size() != seeds.size()) {
            throw new MdmException("seeds must differ from one another, got " + seeds);
        }
        if (seeds.size() < 2) {
            throw new MdmException("a study needs at least 2 seeds per arm (for the spread of every figure), got "
                    + seeds.size());
        }
        return List.copyOf(seeds);
    }

    static int points(StudyFile.EvaluationFile e) {
        if (e == null) {
            throw new MdmException("the study has no evaluation: e.g. evaluation: {every: \"10%\", n: 500, "
                    + "metrics: [fd, kid, accuracy]}");
        }
        if (e.points() != null && e.every() != null) {
            throw new MdmException("evaluation gives both points and every: give one");
        }
        if (e.every() != null) {
            String v = e.every().trim();
            if (!v.endsWith("%")) {
                throw new MdmException("evaluation.every is a percentage of the budget, e.g. \"10%\", got '" + v + "'");
            }
            double pct;
            try {
                pct = Double.parseDouble(v.substring(0, v.length() - 1).trim());
            } catch (NumberFormatException ex) {
                throw new MdmException("evaluation.every: '" + v + "' is not a percentage such as \"10%\"");
            }
            double n = 100 / pct;
            if (pct <= 0 || pct > 100 || Math.abs(n - Math.rint(n)) > 1e-9) {
                throw new MdmException("evaluation.every must divide the budget evenly (e.g. 10%, 20%, 25%, 50%, "
                        + "100%), got " + v);
            }
            return (int) Math.rint(n);
        }
        int p = e.points() != null ? e.points() : 1;
        if (p < 1 || p > 100) {
            throw new MdmException("evaluation.points must be from 1 to 100, got " + p);
        }
        return p;
    }

    private static StudyPlan.Evaluation evaluation(StudyFile.EvaluationFile e) {
        if (e.n() == null || e.n() < 2) {
            throw new MdmException("evaluation.n (images generated per point) must be at least 2"
                    + (e.n() == null ? "; it is missing" : ", got " + e.n()));
        }
        List<String> metrics = e.metrics() == null ? List.of("fd", "kid") : List.copyOf(e.metrics());
        if (metrics.isEmpty()) {
            throw new MdmException("evaluation.metrics is empty: name at least one, e.g. [fd, kid, accuracy]");
        }
        return new StudyPlan.Evaluation(e.n(), metrics, e.steps(), e.guidance(), e.seed() != null ? e.seed() : 0L,
                e.batchSize() != null ? e.batchSize() : 0, e.featureNetwork(), e.ema() == null || e.ema());
    }

    private static String fingerprint(ObjectNode spec, StudyPlan.Evaluation evaluation, Budget budget, int points,
                                      List<String> features) {
        String text = Json.write(spec) + "\n" + evaluation + "\n" + budget + "\n" + points + "\n" + features;
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long[] ones(int n) {
        long[] out = new long[n];
        java.util.Arrays.fill(out, 1);
        return out;
    }

    private static String stem(Path file) {
        String n = file.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }
}
