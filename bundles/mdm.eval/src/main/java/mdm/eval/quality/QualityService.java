package mdm.eval.quality;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import mdm.api.MdmException;
import mdm.api.data.DatasetInfo;
import mdm.api.data.DatasetProvider;
import mdm.api.data.Sample;
import mdm.api.data.SampleStream;
import mdm.api.data.StreamPosition;
import mdm.api.eval.EvalProgress;
import mdm.api.eval.FeatureMetric;
import mdm.api.eval.FeatureNetwork;
import mdm.api.eval.FeatureNetworkInfo;
import mdm.api.eval.Features;
import mdm.api.eval.QualityReport;
import mdm.api.eval.QualityRequest;
import mdm.api.eval.SampleQuality;
import mdm.api.eval.SampleSupply;
import mdm.core.config.Json;
import mdm.core.config.Names;

/**
 * Measures images against real data: finds the feature network and the metrics, takes the real
 * data's features from the cache (embedding them once), embeds the measured images batch by batch
 * (only their features are kept), computes every metric and writes {@code eval.json}.
 */
public final class QualityService implements SampleQuality {
    /** Seed of the stream the reference (training data) is read from. */
    static final long REFERENCE_SEED = 0;
    /** Seed of the held-out draws of a dataset without a test split: never the reference's. */
    static final long HELD_OUT_SEED = 0x4E1D_07L;
    /**
     * Images asked of a {@link SampleSupply} and embedded at a time. Part of what a generated image is: a supply
     * may make its images in batches inside each such chunk (mdm:eval's does), so a job that splits the work
     * (the Spark job) splits it at these chunks to embed exactly the images mdm:eval embeds.
     */
    public static final int BATCH = 250;
    public static final String EVAL_JSON = "eval.json";
    public static final String FEATURES_NPZ = "features.npz";
    /** Short names accepted for metrics: each figure names the metric that reports it. */
    static final Map<String, String> ALIASES = Map.of("precision", "pr", "recall", "pr", "density", "dc",
            "coverage", "dc", "fid", "fd");

    private final EvalRegistry registry;
    private final ReferenceCache cache;

    public QualityService(EvalRegistry registry, Path workDirectory) {
        this.registry = registry;
        this.cache = new ReferenceCache(workDirectory.resolve("eval-cache"));
    }

    /** What a request resolves to. */
    private record Plan(DatasetProvider provider, JsonNode options, DatasetInfo data, FeatureNetwork network,
                        Map<String, FeatureMetric> metrics, int realCount) {
    }

    @Override
    public void check(QualityRequest request) {
        plan(request);
    }

    private Plan plan(QualityRequest r) {
        if (r.n() < 2) {
            throw new MdmException("N = " + r.n() + " is too few: the metrics need at least 2 images (covariances use n − 1;"
                    + " precision/recall need more than k = 3, KID subsets use up to 1,000); use --n 2000 or more for stable figures");
        }
        Map<String, FeatureMetric> metrics = metrics(r.metrics());
        DatasetProvider provider = registry.dataset(r.dataset());
        JsonNode options = Json.mapper().valueToTree(r.datasetOptions());
        DatasetInfo data = provider.describe(Json.options(options));
        FeatureNetwork network = network(r.featureNetwork(), data.name());
        int realCount = data.size() > 0 ? (int) Math.min(r.n(), data.size()) : r.n();
        checkMemory(r.n(), realCount, network.info().dim());
        return new Plan(provider, options, data, network, metrics, realCount);
    }

    private Map<String, FeatureMetric> metrics(List<String> names) {
        if (names.isEmpty()) {
            throw new MdmException("no metrics asked for: use e.g. --metrics fd,kid,pr,dc,accuracy");
        }
        Map<String, FeatureMetric> out = new LinkedHashMap<>();
        for (String given : names) {
            String name = ALIASES.getOrDefault(given.trim(), given.trim());
            FeatureMetric m = registry.metric(name);
            if (m == null) {
                List<String> known = registry.metricNames();
                throw new MdmException("no metric named '" + given + "'. Registered: " + String.join(", ", known)
                        + " (pr = precision/recall, dc = density/coverage). " + Names.suggestion(given, known));
            }
            out.put(name, m);
        }
        return out;
    }

    /** By name, or the highest-ranked one that serves the dataset. */
    public FeatureNetwork network(String name, String dataset) {
        List<FeatureNetwork> all = registry.featureNetworks();
        if (name != null && !name.isBlank()) {
            return all.stream().filter(n -> n.info().name().equals(name)).findFirst().orElseThrow(() ->
                    new MdmException("no feature network named '" + name + "'. " + available(all) + " "
                            + Names.suggestion(name, all.stream().map(n -> n.info().name()).toList())));
        }
        return all.stream().filter(n -> n.supports(dataset)).findFirst().orElseThrow(() ->
                new MdmException("no feature network serves dataset '" + dataset + "'. " + available(all)
                        + " Add one: train a classifier of that data from a spec like samples/featurenets/fashion-mnist.yaml"
                        + " with mdm:featurenet <spec> (it is registered under its name at once), or register your own"
                        + " FeatureNetwork service (mdm.kind=featurenet) whose datasets include '" + dataset
                        + "'; or pick an existing one with --features <name>."));
    }

    private static String available(List<FeatureNetwork> all) {
        if (all.isEmpty()) {
            return "No feature network is registered (the mdm-eval feature provides the built-in ones).";
        }
        return "Registered: " + all.stream().map(n -> n.info().name() + " (for " + String.join(", ", n.info().datasets()) + ")")
                .collect(Collectors.joining(", ")) + ".";
    }

    /** Feature vectors (float32 and float64 copies of both sides) plus one block of distances must fit. */
    static void checkMemory(int n, int realCount, int dim) {
        long needed = (long) (n + realCount) * dim * 12 + (1L << 24) * 8 * 6;
        long heap = Runtime.getRuntime().maxMemory();
        long physical = physicalMemory();
        long available = Math.min(heap * 2, physical);
        if (needed > available) {
            throw new MdmException(String.format("N = %,d needs about %.1f GB for the feature vectors and their distances"
                    + " but only %.1f GB are available: lower --n, or give the runtime more memory (MDM_JAVA_OPTS=-Xmx...)",
                    n, needed / 1e9, available / 1e9));
        }
    }

    private static long physicalMemory() {
        var os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            return sun.getTotalMemorySize();
        }
        return Long.MAX_VALUE;
    }

    @Override
    public QualityReport measure(QualityRequest request, SampleSupply supply, Consumer<EvalProgress> progress) {
        Plan p = plan(request);
        long t0 = System.nanoTime();
        Features real = reference(p, progress);
        long t1 = System.nanoTime();
        Features generated = embedAll(p.network(), request.n(), supply, "generating", progress);
        long t2 = System.nanoTime();
        return finish(request, p, real, generated, "the model's images against the training data", t0, t1, t2, progress);
    }

    /**
     * Embeds one chunk of generated images (at most {@link #BATCH}) as {@link #measure} embeds each chunk it asks
     * of its supply: for jobs that generate and embed chunks elsewhere and measure them with
     * {@link #measureFeatures}.
     */
    public Features embed(QualityRequest request, List<Sample> images) {
        if (images.size() > BATCH) {
            throw new MdmException(images.size() + " images in one chunk: at most " + BATCH);
        }
        return plan(request).network().embed(images);
    }

    /**
     * {@link #measure} for images generated and embedded elsewhere, chunk by chunk in order (the chunks of
     * {@link #embed}, concatenated): the same figures as {@code measure} on the same images.
     */
    public QualityReport measureFeatures(QualityRequest request, List<Features> chunks,
                                         Consumer<EvalProgress> progress) {
        Plan p = plan(request);
        long t0 = System.nanoTime();
        Features real = reference(p, progress);
        long t1 = System.nanoTime();
        Features generated = concat(chunks);
        if (generated.count() != request.n()) {
            throw new MdmException(generated.count() + " generated images were embedded where N = " + request.n());
        }
        long t2 = System.nanoTime();
        return finish(request, p, real, generated, "the model's images against the training data", t0, t1, t2, progress);
    }

    private static Features concat(List<Features> chunks) {
        int count = chunks.stream().mapToInt(Features::count).sum();
        Features first = chunks.get(0);
        float[] values = new float[count * first.dim()];
        List<Map<String, Boolean>> checks = new ArrayList<>(count);
        boolean anyChecked = false;
        int at = 0;
        for (Features f : chunks) {
            if (f.dim() != first.dim() || !f.weightsHash().equals(first.weightsHash())) {
                throw new MdmException("feature chunks from different networks cannot be measured together");
            }
            System.arraycopy(f.values(), 0, values, at, f.values().length);
            at += f.values().length;
            if (f.checks().isEmpty()) {
                for (int i = 0; i < f.count(); i++) {
                    checks.add(Map.of());
                }
            } else {
                checks.addAll(f.checks());
                anyChecked = true;
            }
        }
        return new Features(first.network(), first.weightsHash(), count, first.dim(), values,
                anyChecked ? checks : List.of());
    }

    @Override
    public QualityReport measureHeldOut(QualityRequest request, Consumer<EvalProgress> progress) {
        Plan p = plan(request);
        long t0 = System.nanoTime();
        Features real = reference(p, progress);
        long t1 = System.nanoTime();
        HeldOut held = heldOut(p);
        if (held.size > 0 && request.n() > held.size) {
            throw new MdmException("N = " + request.n() + " is larger than the held-out data (" + held.size
                    + " images in " + held.describe + "): use --n " + held.size + " or less");
        }
        Features heldOut = cached(p, held.options, held.seed, "held-out", request.n(), progress);
        long t2 = System.nanoTime();
        Map<String, Object> settings = new LinkedHashMap<>(request.settings());
        settings.put("held_out", held.describe);
        QualityRequest r = new QualityRequest(request.dataset(), request.datasetOptions(), request.featureNetwork(),
                request.metrics(), request.n(), request.seed(), request.output(), request.saveFeatures(), settings);
        return finish(r, p, real, heldOut, "held-out real images against the training data (the floor)", t0, t1, t2, progress);
    }

    /** The held-out data: the test split when the dataset has one, else fresh draws of a generated dataset. */
    private record HeldOut(JsonNode options, long seed, String describe, long size) {
    }

    private HeldOut heldOut(Plan p) {
        if (p.options().isObject()) {
            ObjectNode test = ((ObjectNode) p.options()).deepCopy();
            if (!"test".equals(test.path("split").asText())) {
                test.put("split", "test");
                try {
                    DatasetInfo info = p.provider().describe(Json.options(test));
                    return new HeldOut(test, REFERENCE_SEED, "the test split", info.size());
                } catch (RuntimeException e) {
                    // no split option: a generated dataset, whose fresh draws are held out
                }
            }
        }
        return new HeldOut(p.options(), HELD_OUT_SEED, "fresh draws (seed " + HELD_OUT_SEED + ") of the dataset", -1);
    }

    private Features reference(Plan p, Consumer<EvalProgress> progress) {
        return cached(p, p.options(), REFERENCE_SEED, "reference", p.realCount(), progress);
    }

    /** The first n images of a dataset stream, embedded, from the cache when it has them. */
    private Features cached(Plan p, JsonNode options, long seed, String role, int n, Consumer<EvalProgress> progress) {
        FeatureNetworkInfo info = p.network().info();
        String key = ReferenceCache.key(p.data().name(), options, seed, info.name(), info.weightsHash(), role);
        var hit = cache.get(key, n);
        if (hit.isPresent()) {
            return hit.get();
        }
        Features f;
        try (SampleStream s = p.provider().open(Json.options(options), seed, StreamPosition.START)) {
            f = embedAll(p.network(), n, count -> {
                List<Sample> batch = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    batch.add(s.next());
                }
                return batch;
            }, role, progress);
        }
        ObjectNode d = Json.empty();
        d.put("dataset", p.data().name());
        d.set("options", options);
        d.put("seed", seed);
        d.put("role", role);
        d.put("feature_network", info.name());
        d.put("weights_sha256", info.weightsHash());
        d.put("count", n);
        d.put("created", Instant.now().toString());
        try {
            cache.put(key, f, d);
        } catch (IOException e) {
            progress.accept(new EvalProgress("cache not written: " + e.getMessage(), n, n, 0));
        }
        return f;
    }

    private static Features embedAll(FeatureNetwork network, int n, SampleSupply supply, String phase,
                                     Consumer<EvalProgress> progress) {
        float[] values = null;
        List<Map<String, Boolean>> checks = new ArrayList<>(n);
        boolean anyChecked = false;
        String name = null;
        String hash = null;
        int dim = 0;
        long started = System.nanoTime();
        for (int done = 0; done < n; ) {
            int count = Math.min(BATCH, n - done);
            List<Sample> batch = supply.next(count);
            if (batch.size() != count) {
                throw new MdmException("the image source gave " + batch.size() + " images where " + count + " were asked for");
            }
            Features f = network.embed(batch);
            if (values == null) {
                dim = f.dim();
                name = f.network();
                hash = f.weightsHash();
                values = new float[n * dim];
            }
            System.arraycopy(f.values(), 0, values, done * dim, f.values().length);
            if (f.checks().isEmpty()) {
                for (int i = 0; i < count; i++) {
                    checks.add(Map.of());
                }
            } else {
                checks.addAll(f.checks());
                anyChecked = true;
            }
            done += count;
            double secs = (System.nanoTime() - started) / 1e9;
            progress.accept(new EvalProgress(phase, done, n, secs > 0 ? done / secs : 0));
        }
        return new Features(name, hash, n, dim, values, anyChecked ? checks : List.of());
    }

    private QualityReport finish(QualityRequest r, Plan p, Features real, Features measured, String what, long t0,
                                 long t1, long t2, Consumer<EvalProgress> progress) {
        Map<String, Double> figures = new LinkedHashMap<>();
        Map<String, Double> metricSeconds = new LinkedHashMap<>();
        int done = 0;
        for (var e : p.metrics().entrySet()) {
            long s = System.nanoTime();
            progress.accept(new EvalProgress("metrics", done, p.metrics().size(), 0));
            e.getValue().compare(real, measured, r.seed()).forEach((k, v) -> {
                if (!Double.isFinite(v)) {
                    throw new MdmException("metric '" + e.getKey() + "' gave " + k + " = " + v + ": not reported");
                }
                figures.put(k, v);
            });
            metricSeconds.put(e.getKey(), (System.nanoTime() - s) / 1e9);
            done++;
        }
        long t3 = System.nanoTime();
        FeatureNetworkInfo info = p.network().info();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("what", what);
        details.put("n", measured.count());
        details.put("real_count", real.count());
        details.put("dataset", p.data().name());
        details.put("dataset_options", Json.mapper().convertValue(p.options(), Map.class));
        details.put("feature_network", info.name());
        details.put("feature_network_sha256", info.weightsHash());
        details.put("metrics", new ArrayList<>(p.metrics().keySet()));
        details.put("seed", r.seed());
        details.putAll(r.settings());
        Map<String, Object> timings = new LinkedHashMap<>();
        timings.put("reference_s", round((t1 - t0) / 1e9));
        timings.put("images_s", round((t2 - t1) / 1e9));
        timings.put("metrics_s", round((t3 - t2) / 1e9));
        metricSeconds.forEach((k, v) -> timings.put(k + "_s", round(v)));
        details.put("timings", timings);
        details.put("created", Instant.now().toString());
        Path file = null;
        if (r.output() != null) {
            file = write(r.output(), figures, details, r.saveFeatures() ? new Features[] {real, measured} : null);
        }
        return new QualityReport(figures, measured.count(), real.count(), info.name(), info.weightsHash(), details, file);
    }

    private static double round(double seconds) {
        return Math.round(seconds * 1000) / 1000.0;
    }

    private static Path write(Path folder, Map<String, Double> figures, Map<String, Object> details, Features[] both) {
        try {
            Files.createDirectories(folder);
            ObjectNode json = Json.empty();
            ObjectNode f = json.putObject("figures");
            figures.forEach(f::put);
            json.setAll((ObjectNode) Json.mapper().valueToTree(details));
            if (both != null) {
                NpzWriter.write(folder.resolve(FEATURES_NPZ), Map.of(
                        "real", new NpzWriter.Matrix(both[0].count(), both[0].dim(), both[0].values()),
                        "generated", new NpzWriter.Matrix(both[1].count(), both[1].dim(), both[1].values())));
                json.put("features", FEATURES_NPZ);
            }
            Path file = folder.resolve(EVAL_JSON);
            mdm.core.io.AtomicFiles.writeString(file, Json.write(json));
            return file;
        } catch (IOException e) {
            throw new MdmException("cannot write " + folder.resolve(EVAL_JSON) + ": " + e.getMessage(), e);
        }
    }

    /** Metric names as given, normalised (aliases resolved, duplicates dropped). */
    public static List<String> normalise(List<String> names) {
        Set<String> out = new LinkedHashSet<>();
        names.forEach(n -> out.add(ALIASES.getOrDefault(n.trim(), n.trim())));
        return new ArrayList<>(out);
    }
}
