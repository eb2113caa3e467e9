package mdm.data.videoframes;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Locale;
import mdm.core.data.LoaderOptions;
import mdm.core.image.Crop;

/**
 * Options of the {@code video-frames} dataset.
 *
 * @param path        root folder; each sub-folder is one clip of frame images (or, with {@code classes},
 *                    each sub-folder is a class of clip folders); required
 * @param frames      frames per sample; default 16
 * @param stride      take every stride-th frame; default 1
 * @param randomStart start the window at a random frame (default false: at the first)
 * @param imageSize   every frame's shorter side is resized to it, then the same square is cut from each; default 64
 * @param crop        centre (default) or random (one offset per clip)
 * @param classes     root/class/clip/frames with labels from the class folders; default false
 * @param extensions  frame file endings; default png, jpg, jpeg
 */
public record VideoFramesOptions(String path, Integer frames, Integer stride, @JsonProperty("random_start") Boolean randomStart,
                                 @JsonProperty("image_size") Integer imageSize, Crop crop, Boolean classes,
                                 List<String> extensions, LoaderOptions loader) {
    public VideoFramesOptions {
        if (path == null || path.isBlank()) {
            throw new IllegalArgumentException("path is required: a folder with one sub-folder of frame images per clip");
        }
        frames = frames == null ? 16 : frames;
        stride = stride == null ? 1 : stride;
        randomStart = randomStart != null && randomStart;
        imageSize = imageSize == null ? 64 : imageSize;
        crop = crop == null ? Crop.CENTRE : crop;
        classes = classes != null && classes;
        extensions = extensions == null ? List.of("png", "jpg", "jpeg")
                : extensions.stream().map(e -> e.toLowerCase(Locale.ROOT).replaceFirst("^\\.", "")).toList();
        loader = loader == null ? LoaderOptions.DEFAULT : loader;
        if (frames < 1 || frames > 1024) {
            throw new IllegalArgumentException("frames must be 1..1024, got " + frames);
        }
        if (stride < 1 || stride > 1024) {
            throw new IllegalArgumentException("stride must be 1..1024, got " + stride);
        }
        if (imageSize < 1 || imageSize > 4096) {
            throw new IllegalArgumentException("image_size must be 1..4096, got " + imageSize);
        }
    }

    /** Frames a clip needs to give one sample. */
    public int span() {
        return (frames - 1) * stride + 1;
    }
}
