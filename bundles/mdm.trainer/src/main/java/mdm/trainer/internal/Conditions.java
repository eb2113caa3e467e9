package mdm.trainer.internal;

import mdm.api.Options;
import java.util.ArrayList;
import java.util.List;
import mdm.api.MdmException;
import mdm.api.data.DatasetInfo;
import mdm.api.data.DatasetProvider;
import mdm.api.data.Sample;
import mdm.api.data.SampleStream;
import mdm.api.data.StreamPosition;
import mdm.core.config.Names;
import mdm.core.config.Json;

/**
 * What a batch of generated images is conditioned on: given prompts, given labels (numbers or
 * class names), or, when neither is given, the conditions of held-out dataset samples (so that
 * an evaluator can check each image against its own caption or label). What an image is judged
 * against is {@link mdm.api.conditioning.Conditioner#conditionOf} of its condition.
 */
final class Conditions {
    /** Seed offset of the stream that supplies conditions: never the training order. */
    static final long HELD_OUT_SEED = 0x5A3E_11L;

    private Conditions() {
    }

    static List<Sample> of(List<String> prompts, List<String> labels, int n, DatasetInfo data,
                           DatasetProvider dataset, Options datasetOptions, long seed) {
        List<Sample> out = new ArrayList<>();
        if (!prompts.isEmpty()) {
            if (!data.hasCaptions()) {
                throw new MdmException("this model was trained on '" + data.name() + "', which has no captions: use --label");
            }
            for (int i = 0; i < n; i++) {
                out.add(Sample.condition(-1, prompts.get(i % prompts.size())));
            }
        } else if (!labels.isEmpty()) {
            if (data.numClasses() == 0) {
                throw new MdmException("this model was trained on '" + data.name() + "', which has no labels: use --prompt");
            }
            for (int i = 0; i < n; i++) {
                int label = label(labels.get(i % labels.size()), data);
                out.add(Sample.condition(label, null));
            }
        } else if (data.numClasses() > 0 && !data.hasCaptions()) {
            for (int i = 0; i < n; i++) {
                out.add(Sample.condition(i % data.numClasses(), null));
            }
        } else if (dataset == null) {
            throw new MdmException("this model has no dataset to draw conditions from: give --prompt or --label");
        } else {
            try (SampleStream s = dataset.open(datasetOptions, seed ^ HELD_OUT_SEED, StreamPosition.START)) {
                for (int i = 0; i < n; i++) {
                    // whole samples (a frames conditioner reads their pixels), without a precomputed caption embedding:
                    // that is of the training form, and sampling encodes the caption in the inference form
                    out.add(s.next().withCaptionEmbedding(null));
                }
            }
        }
        return out;
    }

    /** A label given as a number or a class name. */
    static int label(String given, DatasetInfo data) {
        List<String> names = data.classNames();
        int index = names.indexOf(given);
        if (index >= 0) {
            return index;
        }
        try {
            int n = Integer.parseInt(given.trim());
            if (n < 0 || n >= names.size()) {
                throw new MdmException("label " + n + " is out of range: '" + data.name() + "' has labels 0.."
                        + (names.size() - 1));
            }
            return n;
        } catch (NumberFormatException e) {
            throw new MdmException("unknown label '" + given + "': " + Names.suggestion(given, names));
        }
    }

    /** A short description of a condition for captions under grid cells. */
    static String describe(Sample s, DatasetInfo data) {
        if (s.caption() != null) {
            return s.caption();
        }
        if (s.label() >= 0 && s.label() < data.numClasses()) {
            return data.classNames().get(s.label());
        }
        return s.label() >= 0 ? "label " + s.label() : "";
    }
}
