package mdm.spark;

import java.nio.file.Path;
import java.util.Locale;
import mdm.api.MdmException;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Command line of the caption-embedding job:
 * {@code <tsv-tar listing> --conditioner NAME [--options JSON] [--batch B] [--work DIR] [--force]
 * [--partitions P] [--master URL]}. The embeddings are of the training tokenisation, the one the trainer encodes
 * with (sampling encodes its prompts itself). The listing is what the tsv-tar data set's {@code path} names (a shard TSV
 * or an index of them); the options are the conditioner's as in an experiment spec (give the same ones the run
 * will use: they are in the fingerprint). Writes {@code <shard>.emb.safetensors} next to each shard TSV and
 * prints what it wrote and how fast.
 */
public final class EmbedMain {
    private EmbedMain() {
    }

    public static void main(String[] args) {
        if (args.length == 0 || args[0].startsWith("--")) {
            System.err.println("usage: EmbedMain <tsv-tar listing> --conditioner NAME [--options JSON] "
                    + "[--batch B] [--work DIR] [--force] [--partitions P] [--master URL]");
            System.exit(2);
        }
        Path listing = Path.of(args[0]);
        String conditioner = null;
        String options = "{}";
        boolean force = false;
        int batch = 64;
        Path work = Path.of("work");
        int partitions = 0;
        String master = null;
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--force")) {
                force = true;
                continue;
            }
            if (i + 1 >= args.length) {
                throw new MdmException("option " + a + " needs a value");
            }
            String v = args[++i];
            switch (a) {
                case "--conditioner" -> conditioner = v;
                case "--options" -> options = v;
                case "--batch" -> batch = Integer.parseInt(v);
                case "--work" -> work = Path.of(v);
                case "--partitions" -> partitions = Integer.parseInt(v);
                case "--master" -> master = v;
                default -> throw new MdmException("unknown option " + a);
            }
        }
        if (conditioner == null) {
            throw new MdmException("--conditioner is required (e.g. --conditioner t5 --options '{\"model_dir\": \"models/flan-t5-xl\"}')");
        }
        EmbedJob job = new EmbedJob(listing.toAbsolutePath().toString(), conditioner, options, true, batch,
                work.toAbsolutePath().toString(), force);
        SparkConf conf = new SparkConf().setAppName("mdm-embed-captions").set("spark.ui.showConsoleProgress", "false");
        if (master != null) {
            conf.setMaster(master);
        } else if (!conf.contains("spark.master")) {
            conf.setMaster("local[*]");
        }
        long t0 = System.nanoTime();
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
            sc.setLogLevel("WARN");
            int cores = sc.defaultParallelism();
            int p = partitions > 0 ? partitions : cores;
            CaptionEmbeddingJob.Summary s = CaptionEmbeddingJob.run(sc, job, p, System.out::println);
            double secs = (System.nanoTime() - t0) / 1e9;
            System.out.printf(Locale.ROOT, "%d shards on %s (%d task slots, %d partitions): %d sidecars written, %d kept "
                            + "(already complete and matching); %d captions embedded, %d rows left empty (no caption, or "
                            + "over the training limits)%n", s.shards().size(), sc.master(), cores, p, s.written(),
                    s.skipped(), s.embedded(), s.empty());
            System.out.printf(Locale.ROOT, "embedding %.1f s (%.1f captions/s), %.1f s in all (with Spark start and the "
                    + "driver's conditioner load)%n", s.seconds(), s.seconds() > 0 ? s.embedded() / s.seconds() : 0, secs);
        }
    }
}
