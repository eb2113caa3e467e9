package mdm.data.fashionmnist;

import mdm.api.data.SampleStream;
import mdm.api.data.StreamPosition;
import mdm.core.config.Json;

/**
 * Prints how fast the fashion-mnist stream feeds 32² samples (after the one-off read of the split).
 * Usage: {@code FashionMnistBenchmark [path (Debian's)] [workers (2)]}.
 */
public final class FashionMnistBenchmark {
    private FashionMnistBenchmark() {
    }

    public static void main(String[] args) {
        String path = args.length > 0 ? args[0] : FashionMnistOptions.DEBIAN_PATH;
        int workers = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        String options = "{path: '" + path + "', loader: {workers: " + workers + ", prefetch: 256}}";
        FashionMnistDataset dataset = new FashionMnistDataset();
        long t0 = System.nanoTime();
        try (SampleStream s = dataset.open(Json.parseOptions(options), 0, StreamPosition.START)) {
            s.next();
            System.out.printf("read the train split in %.2f s%n", (System.nanoTime() - t0) / 1e9);
        }
        for (int round = 1; round <= 3; round++) {
            try (SampleStream s = dataset.open(Json.parseOptions(options), round, StreamPosition.START)) {
                long start = System.nanoTime();
                double checksum = 0;
                int n = 60_000;
                for (int i = 0; i < n; i++) {
                    checksum += s.next().pixels()[16 * 32 + 16];
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                System.out.printf("fashion-mnist 32² (workers %d): one epoch of %d images in %.2f s = %.0f images/s (checksum %.1f)%n",
                        workers, n, seconds, n / seconds, checksum);
            }
        }
    }
}
