package mdm.data.imagefolder;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Locale;
import mdm.core.data.LoaderOptions;
import mdm.core.image.Crop;

/**
 * Options of the {@code image-folder} dataset.
 *
 * @param path       the root folder: one sub-folder per class (ImageNet layout); required
 * @param imageSize  side of the square samples; the shorter side is resized to it, then cropped; default 64
 * @param crop       centre (default) or random
 * @param flip       random left-right flips; default false
 * @param extensions image file endings, case-insensitive; default png, jpg, jpeg, bmp, gif
 */
public record ImageFolderOptions(String path, @JsonProperty("image_size") Integer imageSize, Crop crop, Boolean flip,
                                 List<String> extensions, LoaderOptions loader) {
    public ImageFolderOptions {
        if (path == null || path.isBlank()) {
            throw new IllegalArgumentException("path is required: the folder holding one sub-folder of images per class");
        }
        imageSize = imageSize == null ? 64 : imageSize;
        crop = crop == null ? Crop.CENTRE : crop;
        flip = flip != null && flip;
        extensions = extensions == null ? List.of("png", "jpg", "jpeg", "bmp", "gif")
                : extensions.stream().map(e -> e.toLowerCase(Locale.ROOT).replaceFirst("^\\.", "")).toList();
        loader = loader == null ? LoaderOptions.DEFAULT : loader;
        if (imageSize < 1 || imageSize > 4096) {
            throw new IllegalArgumentException("image_size must be 1..4096, got " + imageSize);
        }
        if (extensions.isEmpty()) {
            throw new IllegalArgumentException("extensions must not be empty");
        }
    }
}
