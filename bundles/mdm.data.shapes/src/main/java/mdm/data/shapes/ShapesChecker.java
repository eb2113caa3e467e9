package mdm.data.shapes;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import mdm.api.Components;
import mdm.api.MdmException;
import mdm.api.data.Sample;
import mdm.api.eval.EvaluationReport;
import mdm.api.eval.Evaluator;
import org.osgi.service.component.annotations.Component;

/**
 * Scores shapes samples against their captions without any network: for each attribute the
 * caption mentions (shape, colour, size, position, texture, background, direction, and the number
 * of shapes) it says whether the image shows it. Scores are the share of samples where each
 * attribute holds, plus {@code all} (every mentioned attribute holds), and the same figures over
 * the two-shape captions alone when a batch mixes both kinds. Clips are read frame by
 * frame; each attribute is the majority over frames, the direction is the centroid's motion.
 */
@Component(service = Evaluator.class,
        property = {Components.NAME + "=" + ShapesDataset.NAME, Components.KIND + "=" + Components.EVALUATOR})
public final class ShapesChecker implements Evaluator {
    public static final String SHAPE = "shape";
    public static final String COLOUR = "colour";
    public static final String SIZE = "size";
    public static final String POSITION = "position";
    public static final String TEXTURE = "texture";
    public static final String BACKGROUND = "background";
    public static final String DIRECTION = "direction";
    public static final String COUNT = "count";
    public static final String ALL = "all";
    /**
     * Prefix of the figures over the two-shape captions alone ({@code two_shape_all}, …), reported
     * when a batch mixes one- and two-shape captions.
     */
    public static final String TWO_SHAPES = "two_shape_";
    /** A clip whose shape moved less than this share of the image side has no direction. */
    static final double MIN_MOTION = 0.1;

    @Override
    public boolean supports(String datasetName) {
        return ShapesDataset.NAME.equals(datasetName);
    }

    @Override
    public EvaluationReport evaluate(List<Sample> generated) {
        Tally everything = new Tally();
        Tally twoShapes = new Tally();
        List<Map<String, Boolean>> perSample = new ArrayList<>(generated.size());
        for (Sample s : generated) {
            Expectation expected = CaptionParser.parse(s.caption());
            Map<String, Boolean> checks = compare(expected, read(s));
            perSample.add(checks);
            everything.add(checks);
            if (expected.items().size() == 2) {
                twoShapes.add(checks);
            }
        }
        Map<String, Double> scores = everything.scores("");
        if (twoShapes.samples > 0 && twoShapes.samples < generated.size()) {
            // two-shape scenes are the hard part of the grammar: their own figures, not only a share of the mix
            scores.putAll(twoShapes.scores(TWO_SHAPES));
        }
        return new EvaluationReport(scores, perSample);
    }

    /** Right and checked counts per attribute, and how many samples had every attribute right. */
    private static final class Tally {
        private final Map<String, int[]> counts = new LinkedHashMap<>();
        private int samples;
        private int allRight;

        void add(Map<String, Boolean> checks) {
            for (var e : checks.entrySet()) {
                int[] c = counts.computeIfAbsent(e.getKey(), k -> new int[2]);
                c[0] += e.getValue() ? 1 : 0;
                c[1]++;
            }
            samples++;
            allRight += checks.values().stream().allMatch(b -> b) ? 1 : 0;
        }

        Map<String, Double> scores(String prefix) {
            Map<String, Double> scores = new LinkedHashMap<>();
            counts.forEach((k, c) -> scores.put(prefix + k, (double) c[0] / c[1]));
            if (samples > 0) {
                scores.put(prefix + ALL, (double) allRight / samples);
            }
            return scores;
        }
    }

    /** Which of the attributes the sample's caption mentions the sample shows. */
    public Map<String, Boolean> check(Sample sample) {
        Expectation expected = CaptionParser.parse(sample.caption());
        return compare(expected, read(sample));
    }

    /** What the analyser sees in a sample: background, shapes (largest first), motion of a clip. */
    record Reading(Background background, List<SceneAnalyser.Found> shapes, Direction motion, boolean countRight) {
    }

    static Reading read(Sample sample) {
        if (sample.pixels() == null) {
            throw new MdmException("sample " + sample.id() + " has no pixels to check");
        }
        if (sample.height() != sample.width() || sample.height() < 16) {
            throw new MdmException("the shapes checker reads square images of at least 16², got "
                    + sample.height() + "×" + sample.width());
        }
        int size = sample.width();
        int frameSize = sample.channels() * size * size;
        if (sample.frames() == 1) {
            SceneAnalyser.Analysis a = SceneAnalyser.analyse(sample.pixels(), 0, sample.channels(), size);
            return new Reading(a.background(), a.shapes(), null, true);
        }
        List<SceneAnalyser.Analysis> frames = new ArrayList<>();
        for (int f = 0; f < sample.frames(); f++) {
            frames.add(SceneAnalyser.analyse(sample.pixels(), f * frameSize, sample.channels(), size));
        }
        List<SceneAnalyser.Found> largest = frames.stream().map(SceneAnalyser.Analysis::largest).filter(Objects::nonNull).toList();
        long single = frames.stream().filter(a -> a.shapes().size() == 1).count();
        Background background = mode(frames, SceneAnalyser.Analysis::background);
        if (largest.isEmpty()) {
            return new Reading(background, List.of(), null, false);
        }
        SceneAnalyser.Found voted = new SceneAnalyser.Found(mode(largest, SceneAnalyser.Found::kind),
                mode(largest, SceneAnalyser.Found::colour), mode(largest, SceneAnalyser.Found::size),
                mode(largest, SceneAnalyser.Found::texture), mode(largest, SceneAnalyser.Found::position),
                largest.get(0).cx(), largest.get(0).cy(), largest.get(0).area());
        SceneAnalyser.Found first = largest.get(0);
        SceneAnalyser.Found last = largest.get(largest.size() - 1);
        double dx = last.cx() - first.cx();
        double dy = last.cy() - first.cy();
        Direction motion = Math.hypot(dx, dy) >= MIN_MOTION * size ? Direction.of(dx, dy) : null;
        return new Reading(background, List.of(voted), motion, 2 * single > frames.size());
    }

    static Map<String, Boolean> compare(Expectation expected, Reading reading) {
        Map<String, Boolean> out = new LinkedHashMap<>();
        if (expected.background() != null) {
            out.put(BACKGROUND, expected.background() == reading.background());
        }
        List<Expectation.Item> items = expected.items();
        if (items.isEmpty()) {
            return out;
        }
        out.put(COUNT, reading.countRight() && reading.shapes().size() == items.size());
        List<SceneAnalyser.Found> matched = match(items, reading.shapes());
        attribute(out, SHAPE, items, matched, Expectation.Item::kind, SceneAnalyser.Found::kind);
        attribute(out, COLOUR, items, matched, Expectation.Item::colour, SceneAnalyser.Found::colour);
        attribute(out, SIZE, items, matched, Expectation.Item::size, SceneAnalyser.Found::size);
        attribute(out, TEXTURE, items, matched, Expectation.Item::texture, SceneAnalyser.Found::texture);
        if (reading.motion() == null && items.stream().allMatch(i -> i.direction() == null)) {
            attribute(out, POSITION, items, matched, Expectation.Item::position, SceneAnalyser.Found::position);
        }
        if (items.stream().anyMatch(i -> i.direction() != null)) {
            out.put(DIRECTION, items.stream().allMatch(i -> i.direction() == null || i.direction() == reading.motion()));
        }
        return out;
    }

    private static <T> void attribute(Map<String, Boolean> out, String key, List<Expectation.Item> items,
                                      List<SceneAnalyser.Found> matched, Function<Expectation.Item, T> want,
                                      Function<SceneAnalyser.Found, T> got) {
        boolean mentioned = false;
        boolean right = true;
        for (int i = 0; i < items.size(); i++) {
            T w = want.apply(items.get(i));
            if (w != null) {
                mentioned = true;
                right &= matched.get(i) != null && w == got.apply(matched.get(i));
            }
        }
        if (mentioned) {
            out.put(key, right);
        }
    }

    /** Pairs described shapes with found ones (largest first), choosing the pairing that agrees most. */
    private static List<SceneAnalyser.Found> match(List<Expectation.Item> items, List<SceneAnalyser.Found> found) {
        List<SceneAnalyser.Found> a = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            a.add(i < found.size() ? found.get(i) : null);
        }
        if (items.size() == 2) {
            List<SceneAnalyser.Found> swapped = Arrays.asList(a.get(1), a.get(0));
            if (agreement(items, swapped) > agreement(items, a)) {
                return swapped;
            }
        }
        return a;
    }

    private static int agreement(List<Expectation.Item> items, List<SceneAnalyser.Found> found) {
        int n = 0;
        for (int i = 0; i < items.size(); i++) {
            SceneAnalyser.Found f = found.get(i);
            Expectation.Item e = items.get(i);
            if (f == null) {
                continue;
            }
            n += (e.position() != null && e.position() == f.position() ? 2 : 0)
                    + (e.kind() == f.kind() ? 1 : 0) + (e.colour() == f.colour() ? 1 : 0)
                    + (e.size() == f.size() ? 1 : 0) + (e.texture() == f.texture() ? 1 : 0);
        }
        return n;
    }

    private static <A, T> T mode(List<A> values, Function<A, T> attribute) {
        Map<Object, Integer> votes = new LinkedHashMap<>();
        T best = null;
        int bestVotes = 0;
        for (A v : values) {
            T t = attribute.apply(v);
            if (t == null) {
                continue;
            }
            int n = votes.merge(t, 1, Integer::sum);
            if (n > bestVotes) {
                bestVotes = n;
                best = t;
            }
        }
        return best;
    }
}
