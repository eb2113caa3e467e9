package mdm.data.tsvtar;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What the {@code tsv-tar} data set does with the shards' caption-embedding sidecars ({@code embeddings} option). */
public enum EmbeddingsMode {
    /** Use a shard's sidecar when it has one (the default); shards without one give captions only. */
    @JsonProperty("auto") AUTO,
    /** Every shard must have a sidecar that matches it; opening the data set fails naming those that do not. */
    @JsonProperty("require") REQUIRE,
    /** Read no sidecar: every caption is encoded by the conditioner. */
    @JsonProperty("ignore") IGNORE
}
