package mdm.data.shapes;

import mdm.api.data.SampleStream;
import mdm.api.data.StreamPosition;
import mdm.core.config.Json;

/**
 * Prints how many shapes samples a second the dataset streams (rendering plus stream machinery).
 * Usage: {@code ShapesBenchmark [image size (64)] [samples (20000)] [workers (2)]}.
 */
public final class ShapesBenchmark {
    private ShapesBenchmark() {
    }

    public static void main(String[] args) {
        int size = args.length > 0 ? Integer.parseInt(args[0]) : 64;
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        int workers = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        String options = "{image_size: " + size + ", loader: {workers: " + workers + ", prefetch: 256}}";
        for (int round = 0; round < 3; round++) {
            try (SampleStream s = new ShapesDataset().open(Json.parseOptions(options), round, StreamPosition.START)) {
                long t0 = System.nanoTime();
                double checksum = 0;
                for (int i = 0; i < n; i++) {
                    checksum += s.next().pixels()[0];
                }
                double seconds = (System.nanoTime() - t0) / 1e9;
                System.out.printf("shapes %d² (workers %d): %d images in %.2f s = %.0f images/s (checksum %.1f)%n",
                        size, workers, n, seconds, n / seconds, checksum);
            }
        }
    }
}
