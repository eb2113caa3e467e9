package mdm.api.generate;

import mdm.api.Options;
import java.nio.file.Path;
import java.util.List;

/**
 * What to generate.
 *
 * @param checkpoint a checkpoint folder (or a run folder: its latest checkpoint)
 * @param prompts    captions to condition on (cycled to fill n), or empty
 * @param labels     class labels (numbers or class names), or empty; neither: conditions drawn from the dataset
 * @param n          number of images
 * @param steps      inference steps, or null for the experiment's
 * @param sampler    sampler name, or null for the experiment's
 * @param guidance   guidance weight, or null for the experiment's
 * @param seed       noise seed: the same seed gives the same images
 * @param ema        use EMA weights (when the checkpoint has them)
 * @param output     folder to write into, or null for {@code <checkpoint>/samples}
 * @param samplerOptions sampler options (e.g. eta), or null
 */
public record GenerationRequest(Path checkpoint, List<String> prompts, List<String> labels, int n, Integer steps,
                                String sampler, Double guidance, long seed, boolean ema, Path output,
                                Options samplerOptions) {
    public GenerationRequest {
        prompts = prompts == null ? List.of() : List.copyOf(prompts);
        labels = labels == null ? List.of() : List.copyOf(labels);
    }
}
