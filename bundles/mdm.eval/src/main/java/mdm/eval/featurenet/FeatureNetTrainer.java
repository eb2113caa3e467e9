package mdm.eval.featurenet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import mdm.api.MdmException;
import mdm.api.data.DatasetInfo;
import mdm.api.data.DatasetProvider;
import mdm.api.data.Sample;
import mdm.api.data.SampleStream;
import mdm.api.data.StreamPosition;
import mdm.core.config.Json;
import mdm.core.io.Safetensors;
import mdm.core.optim.AdamW;
import mdm.core.optim.Gradients;
import mdm.core.optim.LearningRate;
import mdm.core.random.HostRandom;
import mdm.core.runtime.GradMode;
import mdm.core.tensor.NativeArrays;
import mdm.core.tensor.Scalars;
import mdm.nn.ParamStore;

/**
 * Trains a feature network from its spec: AdamW with warm-up and cosine decay on cross-entropy
 * summed over the heads, then test accuracy per head on held-out data (at each test size), then
 * the folder {@code featurenet.json} + {@code weights.safetensors}. The same spec and seed give
 * the same weights, also when the training was stopped and started again: every
 * {@code save_every} steps (default {@value PartialRun#EVERY}) its state is kept in a hidden sibling
 * folder, from which the next run of the same spec continues.
 */
public final class FeatureNetTrainer {
    /** Seed offset of the held-out stream of a generated dataset: never the training draws. */
    static final long HELD_OUT_SEED = 0x7E57L;

    private final NDManager root;
    private final Consumer<String> log;

    public FeatureNetTrainer(NDManager root, Consumer<String> log) {
        this.root = root;
        this.log = log;
    }

    /** @param provider the training dataset; @return the folder written */
    public Path train(FeatureNetSpec spec, JsonNode source, DatasetProvider provider, Path out) {
        GradMode.disable();
        ObjectNode options = spec.datasetOptions();
        DatasetInfo data = provider.describe(Json.options(options));
        Heads heads = heads(spec, data);
        long seed = spec.seed() == null ? 0 : spec.seed();
        var t = spec.training();
        long steps = t.steps();
        try (NDManager m = root.newSubManager()) {
            ParamStore store = ParamStore.allocating(m, seed);
            ClassifierNet net = new ClassifierNet(spec.network(), heads, store.root());
            Map<String, NDArray> params = store.arrays();
            params.values().forEach(p -> p.setRequiresGradient(true));
            AdamW adam = new AdamW(new AdamW.Settings(0.9, 0.999, 1e-8, t.weightDecay() == null ? 0 : t.weightDecay()), m);
            LearningRate lr = new LearningRate(t.lr(), t.warmupSteps() == null ? 100 : t.warmupSteps(),
                    LearningRate.Decay.COSINE, steps, 0.02);
            HostRandom flips = new HostRandom(seed).fork("flip");
            StreamPosition position = StreamPosition.START;
            long first = 1;
            double earlier = 0;
            PartialRun partial = new PartialRun(out, source);
            PartialRun.State resumed = partial.load(params, adam, m);
            if (resumed != null) {
                first = resumed.step() + 1;
                flips = resumed.flips();
                position = resumed.position();
                earlier = resumed.seconds();
                log.accept(String.format("resuming from step %d/%d (%s)", resumed.step(), steps, partial.folder()));
            }
            long started = System.nanoTime();
            long lastLog = started;
            double lossSum = 0;
            int lossCount = 0;
            try (SampleStream stream = provider.open(Json.options(options), seed, position)) {
                for (long step = first; step <= steps; step++) {
                    List<Sample> batch = new ArrayList<>(t.batchSize());
                    for (int i = 0; i < t.batchSize(); i++) {
                        batch.add(stream.next());
                    }
                    lossSum += step(net, spec, heads, params, adam, lr.at(step), batch,
                            Boolean.TRUE.equals(t.flip()) ? flips : null, m);
                    lossCount++;
                    long now = System.nanoTime();
                    if (step % t.saveInterval() == 0 && step < steps) {
                        partial.save(step, params, adam, flips, stream.position(), earlier + (now - started) / 1e9);
                        log.accept("kept the training state at step " + step + " (a stopped run continues from here)");
                    }
                    if (now - lastLog > 10_000_000_000L || step == steps) {
                        double secs = (now - started) / 1e9;
                        long done = step - first + 1;
                        log.accept(String.format("step %d/%d  loss %.4f  %.0f img/s  ETA %.0fs", step, steps,
                                lossSum / lossCount, done * t.batchSize() / secs, (steps - step) * secs / done));
                        lastLog = now;
                        lossSum = 0;
                        lossCount = 0;
                    }
                }
            }
            GradMode.disable();
            params.values().forEach(p -> p.setRequiresGradient(false));
            Map<String, Double> accuracy = test(spec, provider, net, heads, m);
            Path written = write(spec, source, heads, data, store, accuracy, earlier + (System.nanoTime() - started) / 1e9, out);
            partial.delete();
            return written;
        }
    }

    static Heads heads(FeatureNetSpec spec, DatasetInfo data) {
        List<Heads.Head> list = new ArrayList<>();
        for (FeatureNetSpec.Head h : spec.heads()) {
            if ("label".equals(h.from())) {
                if (data.numClasses() == 0) {
                    throw new MdmException("head '" + h.name() + "' predicts labels but dataset '" + data.name()
                            + "' has none with these options: use 'words' heads on its captions");
                }
                list.add(new Heads.Head(h.name(), Heads.Source.LABEL, data.classNames()));
            } else {
                list.add(new Heads.Head(h.name(), Heads.Source.WORDS, h.words()));
            }
        }
        return new Heads(list);
    }

    private double step(ClassifierNet net, FeatureNetSpec spec, Heads heads, Map<String, NDArray> params, AdamW adam,
                        double lr, List<Sample> batch, HostRandom flips, NDManager longLived) {
        var n = spec.network();
        int side = n.inputSize();
        float[] pixels = ImagePrep.prepare(batch, n.channels(), side);
        if (flips != null) {
            flip(pixels, batch.size(), n.channels(), side, flips);
        }
        try (NDManager m = longLived.newSubManager()) {
            NDArray x = NativeArrays.create(m, pixels, new Shape(batch.size(), n.channels(), side, side));
            double value;
            try (GradientCollector collector = m.getEngine().newGradientCollector()) {
                ClassifierNet.Output out = net.forward(x);
                NDArray loss = null;
                for (Heads.Head h : heads.list()) {
                    NDArray ce = crossEntropy(out.logits().get(h.name()), h, batch, m);
                    loss = loss == null ? ce : loss.add(ce);
                }
                value = loss.getFloat();
                collector.backward(loss);
            }
            Map<String, NDArray> grads = Gradients.of(params);
            try {
                adam.step(params, grads, lr, m);
                Gradients.zero(grads, m);
            } finally {
                Gradients.close(grads);
            }
            return value;
        }
    }

    /** Mean −log p(target) over the samples whose condition names a class for this head. */
    private static NDArray crossEntropy(NDArray logits, Heads.Head h, List<Sample> batch, NDManager m) {
        int classes = h.classes().size();
        float[] onehot = new float[batch.size() * classes];
        int counted = 0;
        for (int i = 0; i < batch.size(); i++) {
            int target = Heads.target(h, batch.get(i));
            if (target >= 0) {
                onehot[i * classes + target] = 1f;
                counted++;
            }
        }
        NDArray weights = NativeArrays.create(m, onehot, new Shape(batch.size(), classes));
        NDArray picked = logits.logSoftmax(1).mul(weights).sum();
        return Scalars.mul(picked, -1.0 / Math.max(1, counted));
    }

    private static void flip(float[] pixels, int n, int channels, int side, HostRandom random) {
        for (int i = 0; i < n; i++) {
            if (random.nextDouble() < 0.5) {
                continue;
            }
            for (int c = 0; c < channels; c++) {
                for (int y = 0; y < side; y++) {
                    int row = ((i * channels + c) * side + y) * side;
                    for (int x = 0; x < side / 2; x++) {
                        float t = pixels[row + x];
                        pixels[row + x] = pixels[row + side - 1 - x];
                        pixels[row + side - 1 - x] = t;
                    }
                }
            }
        }
    }

    /** Accuracy per head on held-out data, at each test size ("shape@64" for extra sizes). */
    private Map<String, Double> test(FeatureNetSpec spec, DatasetProvider provider, ClassifierNet net, Heads heads,
                                     NDManager m) {
        Map<String, Double> out = new LinkedHashMap<>();
        List<Integer> sizes = new ArrayList<>();
        sizes.add(null);
        if (spec.testSizes() != null) {
            sizes.addAll(spec.testSizes());
        }
        for (Integer size : sizes) {
            ObjectNode options = heldOut(spec);
            if (size != null) {
                options.put("image_size", size);
            }
            DatasetInfo info = provider.describe(Json.options(options));
            int count = spec.testSamples() != null ? spec.testSamples() : (int) Math.min(info.size() > 0 ? info.size() : 10_000, 10_000);
            Map<String, int[]> right = new LinkedHashMap<>();
            heads.list().forEach(h -> right.put(h.name(), new int[2]));
            long seed = (spec.seed() == null ? 0 : spec.seed()) ^ HELD_OUT_SEED;
            try (SampleStream s = provider.open(Json.options(options), seed, StreamPosition.START)) {
                for (int done = 0; done < count; ) {
                    List<Sample> batch = new ArrayList<>();
                    for (int i = 0; i < 250 && done < count; i++, done++) {
                        batch.add(s.next());
                    }
                    var n = spec.network();
                    float[] px = ImagePrep.prepare(batch, n.channels(), n.inputSize());
                    try (NDManager b = m.newSubManager()) {
                        ClassifierNet.Output o = net.forward(NativeArrays.create(b, px, new Shape(batch.size(), n.channels(),
                                n.inputSize(), n.inputSize())));
                        for (Heads.Head h : heads.list()) {
                            NDArray pred = o.logits().get(h.name()).argMax(1);
                            long[] p = pred.toType(ai.djl.ndarray.types.DataType.INT64, false).toLongArray();
                            for (int i = 0; i < batch.size(); i++) {
                                int want = Heads.target(h, batch.get(i));
                                if (want >= 0) {
                                    right.get(h.name())[0] += p[i] == want ? 1 : 0;
                                    right.get(h.name())[1]++;
                                }
                            }
                        }
                    }
                }
            }
            right.forEach((h, c) -> {
                String key = size == null ? h : h + "@" + size;
                double acc = c[1] == 0 ? Double.NaN : (double) c[0] / c[1];
                out.put(key, acc);
                log.accept(String.format("test accuracy %s: %.4f (%d images)", key, acc, c[1]));
            });
        }
        return out;
    }

    /** The held-out data: the spec's test overrides on the training options (a fresh seed when there are none). */
    static ObjectNode heldOut(FeatureNetSpec spec) {
        ObjectNode options = spec.datasetOptions();
        if (spec.test() != null && spec.test().isObject()) {
            spec.test().fields().forEachRemaining(e -> options.set(e.getKey(), e.getValue()));
        }
        return options;
    }

    private Path write(FeatureNetSpec spec, JsonNode source, Heads heads, DatasetInfo data, ParamStore store,
                       Map<String, Double> accuracy, double seconds, Path out) {
        try {
            Files.createDirectories(out.getParent() == null ? out : out.toAbsolutePath().getParent());
            Path tmp = Files.createTempDirectory(out.toAbsolutePath().getParent(), "." + out.getFileName() + "-");
            Safetensors.write(tmp.resolve(CnnFeatureNetwork.WEIGHTS), store.arrays());
            ObjectNode d = Json.empty();
            d.put("name", spec.name());
            d.put("description", spec.name() + ": " + spec.network().stages().size() + "-stage CNN, "
                    + spec.network().features() + "-d features, trained on " + data.name());
            ArrayNodeHelper.strings(d.putArray("datasets"),
                    spec.datasets() != null ? spec.datasets() : List.of(spec.datasetName()));
            d.set("spec", source);
            ObjectNode h = d.putObject("heads");
            for (Heads.Head head : heads.list()) {
                ObjectNode o = h.putObject(head.name());
                o.put("source", head.source().name());
                ArrayNodeHelper.strings(o.putArray("classes"), head.classes());
            }
            ObjectNode acc = d.putObject("test_accuracy");
            accuracy.forEach(acc::put);
            d.put("weights_sha256", CnnFeatureNetwork.sha256(Files.readAllBytes(tmp.resolve(CnnFeatureNetwork.WEIGHTS))));
            d.put("training_seconds", Math.round(seconds));
            d.put("parameters", store.count());
            Files.writeString(tmp.resolve(CnnFeatureNetwork.DESCRIPTION), Json.write(d));
            if (Files.exists(out)) {
                Path old = out.resolveSibling("." + out.getFileName() + "-old");
                deleteTree(old);
                Files.move(out, old, StandardCopyOption.ATOMIC_MOVE);
                Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE);
                deleteTree(old);
            } else {
                Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE);
            }
            return out;
        } catch (IOException e) {
            throw new MdmException("cannot write the feature network to " + out + ": " + e.getMessage(), e);
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (var walk = Files.walk(p)) {
            for (Path q : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(q);
            }
        }
    }

    /** Small helper for string arrays in Jackson trees. */
    private static final class ArrayNodeHelper {
        static void strings(com.fasterxml.jackson.databind.node.ArrayNode a, List<String> values) {
            values.forEach(a::add);
        }
    }
}
