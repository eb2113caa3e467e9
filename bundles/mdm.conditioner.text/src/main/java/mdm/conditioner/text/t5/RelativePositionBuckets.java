package mdm.conditioner.text.t5;

/**
 * T5's bidirectional relative-position buckets (HF {@code T5Attention._relative_position_bucket}):
 * half the buckets for keys after the query, half for keys before; within each half, distances
 * below half the half-size get a bucket each, larger ones share log-spaced buckets up to
 * {@code max_distance}. The log is evaluated in float32 like PyTorch does, so distances that fall
 * exactly on a bucket boundary land where they land there.
 */
public final class RelativePositionBuckets {
    private RelativePositionBuckets() {
    }

    /** The bucket of key position {@code key} seen from query position {@code query}. */
    public static int bucket(int query, int key, int numBuckets, int maxDistance) {
        int relative = key - query;
        int half = numBuckets / 2;
        int bucket = relative > 0 ? half : 0;
        int distance = Math.abs(relative);
        int maxExact = half / 2;
        if (distance < maxExact) {
            return bucket + distance;
        }
        float ratio = (float) Math.log((float) distance / (float) maxExact);
        float scale = (float) Math.log((double) maxDistance / maxExact);
        int large = maxExact + (int) (ratio / scale * (float) (half - maxExact));
        return bucket + Math.min(large, half - 1);
    }

    /** Buckets for all (query, key) pairs of a length-{@code n} sequence, row-major n×n. */
    public static long[] matrix(int n, int numBuckets, int maxDistance) {
        long[] out = new long[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                out[i * n + j] = bucket(i, j, numBuckets, maxDistance);
            }
        }
        return out;
    }
}
