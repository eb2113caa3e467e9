package mdm.trainer.internal;

import java.util.ArrayDeque;

/** Throughput and time left from the last steps' wall time. */
final class StepTimer {
    private final ArrayDeque<long[]> window = new ArrayDeque<>(); // {nanos, images}
    private static final int SIZE = 20;

    void record(long nanos, long images) {
        window.addLast(new long[] {nanos, images});
        if (window.size() > SIZE) {
            window.removeFirst();
        }
    }

    double imagesPerSecond() {
        long n = 0;
        long i = 0;
        for (long[] w : window) {
            n += w[0];
            i += w[1];
        }
        return n == 0 ? 0 : i / (n / 1e9);
    }

    double secondsPerStep() {
        if (window.isEmpty()) {
            return 0;
        }
        long n = 0;
        for (long[] w : window) {
            n += w[0];
        }
        return n / 1e9 / window.size();
    }
}
