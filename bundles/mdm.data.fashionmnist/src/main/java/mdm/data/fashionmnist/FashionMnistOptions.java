package mdm.data.fashionmnist;

import com.fasterxml.jackson.annotation.JsonProperty;
import mdm.core.data.LoaderOptions;

/**
 * Options of the {@code fashion-mnist} dataset.
 *
 * @param path      folder of the idx files (plain or .gz); default where Debian's dataset-fashion-mnist installs them
 * @param split     train (60,000) or test (10,000); default train
 * @param imageSize side after centring the 28² digits on black; default 32, at least 28
 * @param channels  1 (default) or 3 (grey repeated)
 */
public record FashionMnistOptions(String path, Split split, @JsonProperty("image_size") Integer imageSize,
                                  Integer channels, LoaderOptions loader) {
    public static final String DEBIAN_PATH = "/usr/share/datasets/fashion-mnist";

    public enum Split {
        @JsonProperty("train") TRAIN("train"),
        @JsonProperty("test") TEST("t10k");

        private final String prefix;

        Split(String prefix) {
            this.prefix = prefix;
        }

        /** File name prefix: train or t10k. */
        public String prefix() {
            return prefix;
        }
    }

    public FashionMnistOptions {
        path = path == null || path.isBlank() ? DEBIAN_PATH : path;
        split = split == null ? Split.TRAIN : split;
        imageSize = imageSize == null ? 32 : imageSize;
        channels = channels == null ? 1 : channels;
        loader = loader == null ? LoaderOptions.DEFAULT : loader;
        if (imageSize < 28 || imageSize > 1024) {
            throw new IllegalArgumentException("image_size must be 28..1024 (the 28² images are padded, never cut), got " + imageSize);
        }
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("channels must be 1 or 3, got " + channels);
        }
    }
}
