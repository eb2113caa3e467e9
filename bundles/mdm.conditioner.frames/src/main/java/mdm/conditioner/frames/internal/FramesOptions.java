package mdm.conditioner.frames.internal;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * Options of the {@code frames} conditioner.
 *
 * @param frames indices of the conditioning frames within a clip (default [0], the first frame)
 * @param grid   patches per side of a frame (default 8; must divide the frame size)
 * @param dim    token width D (the backbone's conditioning_feature_dim; default 128)
 * @param layers SelfAttention1DBlocks over the frame tokens (default 1)
 * @param heads  attention heads (default 4)
 */
record FramesOptions(@JsonProperty("frames") List<Integer> frames, @JsonProperty("grid") Integer grid,
                     @JsonProperty("dim") Integer dim, @JsonProperty("layers") Integer layers,
                     @JsonProperty("heads") Integer heads) {
    FramesOptions {
        frames = frames == null || frames.isEmpty() ? List.of(0) : List.copyOf(frames);
        grid = grid == null ? 8 : grid;
        dim = dim == null ? 128 : dim;
        layers = layers == null ? 1 : layers;
        heads = heads == null ? 4 : heads;
        if (frames.stream().anyMatch(f -> f < 0) || frames.stream().distinct().count() != frames.size()) {
            throw new IllegalArgumentException("frames must be distinct non-negative frame indices, got " + frames);
        }
        if (grid <= 0 || dim <= 0 || layers < 0 || heads <= 0 || dim % heads != 0) {
            throw new IllegalArgumentException("need grid > 0, dim > 0 divisible by heads > 0 and layers ≥ 0, got grid "
                    + grid + ", dim " + dim + ", heads " + heads + ", layers " + layers);
        }
    }

    int[] frameIndices() {
        return frames.stream().mapToInt(Integer::intValue).toArray();
    }
}
