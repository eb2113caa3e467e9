package mdm.data.tsvtar;

import com.fasterxml.jackson.annotation.JsonProperty;
import mdm.core.data.LoaderOptions;
import mdm.core.image.Crop;

/**
 * Options of the {@code tsv-tar} dataset.
 *
 * @param path      a shard TSV (header {@code tar, file, caption}) or an index TSV (header {@code filename})
 *                  listing shard TSVs; relative paths inside resolve against the listing file's folder. Required
 * @param imageSize the shorter side is resized to it, then a square is cut; default 64
 * @param crop      centre (default, as the ml-mdm reader) or random
 * @param embeddings the shards' precomputed caption embeddings ({@code <shard>.emb.safetensors}): auto (default: used
 *                  where present), require, ignore
 */
public record TsvTarOptions(String path, @JsonProperty("image_size") Integer imageSize, Crop crop, LoaderOptions loader,
                            EmbeddingsMode embeddings) {
    public TsvTarOptions {
        if (path == null || path.isBlank()) {
            throw new IllegalArgumentException("path is required: a shard TSV (tar, file, caption) or an index TSV (filename)");
        }
        imageSize = imageSize == null ? 64 : imageSize;
        crop = crop == null ? Crop.CENTRE : crop;
        loader = loader == null ? LoaderOptions.DEFAULT : loader;
        embeddings = embeddings == null ? EmbeddingsMode.AUTO : embeddings;
        if (imageSize < 1 || imageSize > 4096) {
            throw new IllegalArgumentException("image_size must be 1..4096, got " + imageSize);
        }
    }
}
