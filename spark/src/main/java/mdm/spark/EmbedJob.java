package mdm.spark;

import java.io.Serializable;

/**
 * What a caption-embedding job does, in plain values that travel with each task: the tsv-tar listing (a shard
 * TSV or an index of them), the conditioner by name with its options as JSON (as an experiment spec gives
 * them), the tokenisation mode, the captions per {@code encode} call, the folder relative option paths
 * ({@code model_dir}, {@code vocab_file}) resolve against, and whether to redo sidecars that already match.
 */
public record EmbedJob(String listing, String conditioner, String optionsJson, boolean training, int batch, String work,
                       boolean force) implements Serializable {
    public EmbedJob {
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be ≥ 1, got " + batch);
        }
    }
}
