package mdm.conditioner.text;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Text-encoder outputs per token row, least recently used first out, bounded in bytes. The key is
 * the row's token ids, which the caption and its tokenisation mode (training or inference form,
 * limits) determine; rows with equal ids have equal embeddings, because a frozen encoder's output
 * for real tokens does not depend on the padding around them.
 */
public final class EmbeddingCache {
    private final long maxBytes;
    private final LinkedHashMap<Key, float[]> entries = new LinkedHashMap<>(16, 0.75f, true);
    private long bytes;
    private long hits;
    private long misses;

    public EmbeddingCache(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** The cached embedding (length × D, row-major) of a token row, or null. */
    public synchronized float[] get(int[] tokens) {
        float[] v = entries.get(new Key(tokens));
        if (v == null) {
            misses++;
        } else {
            hits++;
        }
        return v;
    }

    public synchronized void put(int[] tokens, float[] embedding) {
        long size = 4L * embedding.length + 4L * tokens.length + 64;
        if (size > maxBytes) {
            return;
        }
        float[] old = entries.put(new Key(tokens.clone()), embedding);
        if (old != null) {
            bytes -= 4L * old.length + 4L * tokens.length + 64;
        }
        bytes += size;
        var it = entries.entrySet().iterator();
        while (bytes > maxBytes && it.hasNext()) {
            Map.Entry<Key, float[]> eldest = it.next();
            bytes -= 4L * eldest.getValue().length + 4L * eldest.getKey().tokens.length + 64;
            it.remove();
        }
    }

    public synchronized int size() {
        return entries.size();
    }

    public synchronized long hits() {
        return hits;
    }

    public synchronized long misses() {
        return misses;
    }

    private record Key(int[] tokens) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Arrays.equals(tokens, k.tokens);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(tokens);
        }
    }
}
