package mdm.eval.featurenet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import mdm.api.MdmException;
import mdm.api.data.Sample;
import mdm.api.eval.FeatureNetwork;
import mdm.api.eval.FeatureNetworkInfo;
import mdm.api.eval.Features;
import mdm.core.config.Json;
import mdm.core.io.Safetensors;
import mdm.core.io.StateDicts;
import mdm.core.runtime.GradMode;
import mdm.core.tensor.NativeArrays;
import mdm.nn.ParamStore;

/**
 * A trained {@link ClassifierNet} as a feature network, loaded from its folder: {@code featurenet.json}
 * (the spec it was trained from, its heads and test accuracy) and {@code weights.safetensors}.
 */
public final class CnnFeatureNetwork implements FeatureNetwork, AutoCloseable {
    public static final String DESCRIPTION = "featurenet.json";
    public static final String WEIGHTS = "weights.safetensors";
    static final int BATCH = 250;

    private final FeatureNetworkInfo info;
    private final FeatureNetSpec.Network network;
    private final Heads heads;
    private final NDManager manager;
    private final ClassifierNet net;

    private CnnFeatureNetwork(JsonNode description, byte[] weights, NDManager manager) {
        this.manager = manager;
        FeatureNetSpec spec = Json.bind(description.get("spec"), FeatureNetSpec.class, "feature network spec");
        this.network = spec.network();
        this.heads = headsOf(description.get("heads"));
        ParamStore store = ParamStore.allocating(manager, 0);
        this.net = new ClassifierNet(network, heads, store.root());
        Path tmp = null;
        try {
            tmp = Files.createTempFile("featurenet", ".safetensors");
            Files.write(tmp, weights);
            try (NDManager read = manager.newSubManager()) {
                StateDicts.loadStrict(Safetensors.read(tmp, read), store.arrays());
            }
        } catch (IOException e) {
            throw new MdmException("cannot read the weights of feature network " + spec.name() + ": " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                tmp.toFile().delete();
            }
        }
        Map<String, Double> accuracy = new LinkedHashMap<>();
        description.path("test_accuracy").fields().forEachRemaining(e -> accuracy.put(e.getKey(), e.getValue().asDouble()));
        List<String> datasets = new ArrayList<>();
        description.path("datasets").forEach(d -> datasets.add(d.asText()));
        this.info = new FeatureNetworkInfo(spec.name(), sha256(weights), network.inputSize(), network.channels(),
                network.features(), datasets, heads.classes(), accuracy, description.path("description").asText(""));
    }

    /** Loads a network folder written by {@link FeatureNetTrainer}. */
    public static CnnFeatureNetwork load(Path folder, NDManager manager) {
        Path json = folder.resolve(DESCRIPTION);
        Path weights = folder.resolve(WEIGHTS);
        if (!Files.isRegularFile(json) || !Files.isRegularFile(weights)) {
            throw new MdmException(folder + " is not a feature network folder: it needs " + DESCRIPTION + " and " + WEIGHTS);
        }
        try {
            return new CnnFeatureNetwork(Json.read(json), Files.readAllBytes(weights), manager);
        } catch (IOException e) {
            throw new MdmException("cannot read " + weights + ": " + e.getMessage(), e);
        }
    }

    /** Loads a network shipped as resources (description and weights streams). */
    public static CnnFeatureNetwork load(InputStream description, InputStream weights, NDManager manager) throws IOException {
        return new CnnFeatureNetwork(Json.mapper().readTree(description), weights.readAllBytes(), manager);
    }

    static Heads headsOf(JsonNode node) {
        List<Heads.Head> list = new ArrayList<>();
        node.fields().forEachRemaining(e -> {
            List<String> classes = new ArrayList<>();
            e.getValue().path("classes").forEach(c -> classes.add(c.asText()));
            list.add(new Heads.Head(e.getKey(), Heads.Source.valueOf(e.getValue().path("source").asText()), classes));
        });
        return new Heads(list);
    }

    @Override
    public FeatureNetworkInfo info() {
        return info;
    }

    public Heads heads() {
        return heads;
    }

    @Override
    public Features embed(List<Sample> images) {
        GradMode.disable();
        int dim = network.features();
        int n = images.size();
        float[] values = new float[n * dim];
        List<Map<String, Boolean>> checks = new ArrayList<>(n);
        boolean anyChecked = false;
        for (int from = 0; from < n; from += BATCH) {
            List<Sample> batch = images.subList(from, Math.min(n, from + BATCH));
            Embedded e = embedBatch(batch);
            System.arraycopy(e.features, 0, values, from * dim, e.features.length);
            for (int i = 0; i < batch.size(); i++) {
                Map<String, Boolean> c = new LinkedHashMap<>();
                for (Heads.Head h : heads.list()) {
                    int want = Heads.target(h, batch.get(i));
                    if (want >= 0) {
                        c.put(h.name(), e.predicted.get(h.name())[i] == want);
                    }
                }
                anyChecked |= !c.isEmpty();
                checks.add(c);
            }
        }
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                Sample s = images.get(i / dim);
                throw new MdmException("feature network '" + info.name() + "' gave non-finite features for image "
                        + (s.id() == null ? Integer.toString(i / dim) : s.id())
                        + ": its pixels hold NaN or infinity (the model that generated it diverged?)");
            }
        }
        return new Features(info.name(), info.weightsHash(), n, dim, values, anyChecked ? checks : List.of());
    }

    /** Features (averaged over a clip's frames) and each head's predicted class. */
    record Embedded(float[] features, Map<String, int[]> predicted) {
    }

    Embedded embedBatch(List<Sample> batch) {
        int side = network.inputSize();
        int channels = network.channels();
        float[] pixels = ImagePrep.prepare(batch, channels, side);
        int images = pixels.length / (channels * side * side);
        try (NDManager m = manager.newSubManager()) {
            NDArray x = NativeArrays.create(m, pixels, new Shape(images, channels, side, side));
            ClassifierNet.Output out = net.forward(x);
            float[] all = out.features().toFloatArray();
            Map<String, float[]> logits = new LinkedHashMap<>();
            out.logits().forEach((k, v) -> logits.put(k, v.toFloatArray()));
            return average(batch, all, logits);
        }
    }

    private Embedded average(List<Sample> batch, float[] all, Map<String, float[]> logits) {
        int dim = network.features();
        float[] features = new float[batch.size() * dim];
        Map<String, int[]> predicted = new LinkedHashMap<>();
        heads.list().forEach(h -> predicted.put(h.name(), new int[batch.size()]));
        int row = 0;
        for (int i = 0; i < batch.size(); i++) {
            int frames = ImagePrep.frames(batch.get(i));
            for (int f = 0; f < frames; f++) {
                for (int k = 0; k < dim; k++) {
                    features[i * dim + k] += all[(row + f) * dim + k] / frames;
                }
            }
            for (Heads.Head h : heads.list()) {
                int classes = h.classes().size();
                float[] l = logits.get(h.name());
                int best = 0;
                double bestScore = Double.NEGATIVE_INFINITY;
                for (int c = 0; c < classes; c++) {
                    double score = 0;
                    for (int f = 0; f < frames; f++) {
                        score += l[(row + f) * classes + c];
                    }
                    if (score > bestScore) {
                        bestScore = score;
                        best = c;
                    }
                }
                predicted.get(h.name())[i] = best;
            }
            row += frames;
        }
        return new Embedded(features, predicted);
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
