package mdm.spark;

import java.io.Serializable;

/**
 * What a task did with one shard: its sidecar was written (rows embedded, rows left empty, seconds) or found
 * complete and matching and kept.
 */
public record ShardResult(String shard, int rows, int embedded, int empty, boolean skipped, double seconds)
        implements Serializable {
}
