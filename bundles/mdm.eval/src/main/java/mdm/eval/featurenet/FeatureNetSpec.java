package mdm.eval.featurenet;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import mdm.api.MdmException;
import mdm.core.config.Json;

/**
 * A feature network's training spec (YAML or JSON, see {@code samples/featurenets/}).
 *
 * @param name     the network's name ({@code mdm.name}); also the output folder's
 * @param seed     seed of initialisation and data order
 * @param datasets datasets it serves (default: the training dataset's name)
 * @param dataset  the training data: {@code name} plus the dataset's options
 * @param test     option overrides that make the held-out data (e.g. {@code split: test}); empty: a fresh seed
 * @param testSizes extra image sizes to report test accuracy at (images are resized to the input)
 * @param network  the architecture
 * @param heads    what it predicts
 * @param training optimiser settings
 */
public record FeatureNetSpec(String name, Long seed, List<String> datasets, JsonNode dataset, JsonNode test,
                             @JsonProperty("test_sizes") List<Integer> testSizes,
                             @JsonProperty("test_samples") Integer testSamples,
                             Network network, List<Head> heads, Training training) {

    /** @param stages per stage: width and number of 3×3 convolutions, each stage followed by 2× max pooling */
    public record Network(@JsonProperty("input_size") Integer inputSize, Integer channels, List<Stage> stages,
                          Integer features) {
        public record Stage(Integer width, Integer convs) {
        }
    }

    /**
     * A classifier head: {@code from: label} predicts the dataset's class labels; {@code words}
     * predicts which of the words the caption mentions first (e.g. a shape's colour).
     */
    public record Head(String name, String from, List<String> words) {
    }

    public record Training(Integer steps, @JsonProperty("batch_size") Integer batchSize, Double lr,
                           @JsonProperty("weight_decay") Double weightDecay,
                           @JsonProperty("warmup_steps") Long warmupSteps, Boolean flip,
                           @JsonProperty("save_every") Long saveEvery) {
        /** Without {@code save_every} (the form of version 1.0 of this package). */
        public Training(Integer steps, Integer batchSize, Double lr, Double weightDecay, Long warmupSteps, Boolean flip) {
            this(steps, batchSize, lr, weightDecay, warmupSteps, flip, null);
        }

        /** Steps between kept training states (a stopped run continues from the last one); default 100. */
        public long saveInterval() {
            return saveEvery == null || saveEvery <= 0 ? PartialRun.EVERY : saveEvery;
        }
    }

    public static FeatureNetSpec read(Path file) {
        JsonNode tree = Json.read(file);
        FeatureNetSpec spec = Json.bind(tree, FeatureNetSpec.class, "feature network spec " + file.getFileName());
        spec.validate();
        return spec;
    }

    public String datasetName() {
        return dataset.path("name").asText();
    }

    /** The training dataset's options (its section without {@code name}). */
    public ObjectNode datasetOptions() {
        ObjectNode o = ((ObjectNode) dataset).deepCopy();
        o.remove("name");
        return o;
    }

    void validate() {
        if (name == null || !name.matches("[A-Za-z0-9._-]+")) {
            throw new MdmException("a feature network spec needs a 'name' of letters, digits, '.', '_' and '-'");
        }
        if (dataset == null || !dataset.path("name").isTextual()) {
            throw new MdmException("the feature network spec needs 'dataset: {name: ..., options...}'");
        }
        if (network == null || network.inputSize() == null || network.channels() == null || network.stages() == null
                || network.stages().isEmpty() || network.features() == null) {
            throw new MdmException("the feature network spec needs 'network: {input_size, channels, stages: [{width, convs}], features}'");
        }
        if (heads == null || heads.isEmpty()) {
            throw new MdmException("the feature network spec needs at least one head: {name, from: label} or {name, words: [...]}");
        }
        for (Head h : heads) {
            boolean label = "label".equals(h.from());
            boolean words = h.words() != null && !h.words().isEmpty();
            if (h.name() == null || label == words) {
                throw new MdmException("head " + h.name() + " needs a name and either 'from: label' or a list of 'words'");
            }
        }
        if (training == null || training.steps() == null || training.batchSize() == null || training.lr() == null) {
            throw new MdmException("the feature network spec needs 'training: {steps, batch_size, lr}'");
        }
    }
}
