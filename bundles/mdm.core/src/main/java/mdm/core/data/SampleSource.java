package mdm.core.data;

import mdm.api.data.Sample;
import mdm.core.random.HostRandom;

/**
 * A dataset's entries by index: what a {@link DataStream} shuffles, decodes and prefetches. Loading
 * must be thread-safe and depend only on the entry and the random stream it is given, so that the
 * stream is deterministic whatever the number of decoder threads.
 */
public interface SampleSource {
    /** Entries per epoch; −1 for an endless generator (entries are never revisited, so never shuffled). */
    long size();

    /**
     * Reads, decodes and augments one entry.
     *
     * @param random a stream of this entry's own (seed, epoch, entry), for random crops and the like
     * @throws Exception naming the entry (shard, file, line) when it cannot be read
     */
    Sample load(long entry, HostRandom random) throws Exception;

    /** Names an entry in error messages when the failure itself does not, e.g. "line 12 of x.tsv". */
    default String describe(long entry) {
        return "entry " + entry;
    }
}
