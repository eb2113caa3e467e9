package mdm.api.train;

/**
 * What the images look like when an experiment names no dataset (an imported model that is only
 * sampled): their size, whether conditions are captions, how many classes, frames per clip.
 */
public record DataSpec(int imageSize, boolean captions, int classes, int frames) {
    public DataSpec {
        if (imageSize < 1 || classes < 0 || frames < 1) {
            throw new IllegalArgumentException("data needs image_size ≥ 1, classes ≥ 0, frames ≥ 1");
        }
    }
}
