package mdm.spark;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import mdm.api.MdmException;
import mdm.api.data.CaptionEmbedding;
import mdm.api.data.Sample;
import mdm.api.model.Conditioning;
import mdm.data.tsvtar.CaptionEmbeddingSidecar;
import mdm.data.tsvtar.TsvTarDataset;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Precomputes a tsv-tar data set's caption embeddings with a frozen text conditioner, as ml-mdm precomputes its
 * T5 embeddings: the shard TSVs are spread over the executors, each task slot loads the conditioner once
 * ({@link Embedders}), embeds its shards' captions {@code batch} at a time and writes each shard's sidecar
 * ({@link CaptionEmbeddingSidecar}, {@code <shard>.emb.safetensors}) whole or not at all (a temporary file renamed
 * over the target). A shard whose sidecar is complete and of this conditioner, options and tokenisation is
 * skipped, so an interrupted job re-run does only the rest; a stale or broken one is replaced. The data set and
 * the conditioner's files must be readable (and the shard folders writable) by every executor.
 */
public final class CaptionEmbeddingJob {
    private CaptionEmbeddingJob() {
    }

    /** What the job did, in all. */
    public record Summary(List<ShardResult> shards, double seconds) {
        public int written() {
            return (int) shards.stream().filter(s -> !s.skipped()).count();
        }

        public int skipped() {
            return shards.size() - written();
        }

        public int embedded() {
            return shards.stream().mapToInt(ShardResult::embedded).sum();
        }

        public int empty() {
            return shards.stream().filter(s -> !s.skipped()).mapToInt(ShardResult::empty).sum();
        }
    }

    /**
     * Runs {@code job} over at most {@code partitions} partitions. The listing and the conditioner are checked on
     * the driver first (a trainable conditioner is refused there, before any task).
     */
    public static Summary run(JavaSparkContext sc, EmbedJob job, int partitions, Consumer<String> progress) {
        List<TsvTarDataset.CaptionShard> shards = TsvTarDataset.captionShards(Path.of(job.listing()));
        if (shards.isEmpty()) {
            throw new MdmException(job.listing() + " lists no shard rows: nothing to embed");
        }
        Embedders.Embedder driver = Embedders.borrow(job);
        Embedders.giveBack(driver);
        progress.accept(shards.size() + " shards, " + shards.stream().mapToInt(s -> s.captions().size()).sum()
                + " caption rows, conditioner " + driver.origin().describe() + ", width " + driver.conditioner().featureDim());
        List<String> tsvs = shards.stream().map(s -> s.tsv().toAbsolutePath().toString()).toList();
        long t0 = System.nanoTime();
        JavaRDD<String> rdd = sc.parallelize(tsvs, Math.max(1, Math.min(partitions, tsvs.size())));
        List<ShardResult> results = new ArrayList<>(rdd.mapPartitions(it -> {
            List<ShardResult> out = new ArrayList<>();
            Embedders.Embedder e = Embedders.borrow(job);
            try {
                while (it.hasNext()) {
                    out.add(embedShard(e, Path.of(it.next())));
                }
            } finally {
                Embedders.giveBack(e);
            }
            return out.iterator();
        }).collect());
        return new Summary(results, (System.nanoTime() - t0) / 1e9);
    }

    /** Closes the conditioners this JVM loaded for {@code job}; returns how many. */
    public static int release(EmbedJob job) {
        return Embedders.release(job);
    }

    /** One shard: kept when its sidecar already matches, else embedded and written. */
    static ShardResult embedShard(Embedders.Embedder e, Path tsv) {
        long t0 = System.nanoTime();
        List<String> captions = TsvTarDataset.captionShards(tsv).get(0).captions();
        int dim = e.conditioner().featureDim();
        String name = tsv.getFileName().toString();
        if (!e.job().force() && Files.isRegularFile(CaptionEmbeddingSidecar.of(tsv))) {
            try {
                CaptionEmbeddingSidecar existing = CaptionEmbeddingSidecar.open(tsv, captions);
                if (existing.origin().equals(e.origin()) && existing.dim() == dim) {
                    return new ShardResult(name, captions.size(), 0, 0, true, (System.nanoTime() - t0) / 1e9);
                }
            } catch (MdmException stale) {
                // an edited shard or a broken sidecar: made again below
            }
        }
        boolean training = e.job().training();
        CaptionEmbedding[] rows = new CaptionEmbedding[captions.size()];
        List<Integer> todo = new ArrayList<>();
        for (int i = 0; i < captions.size(); i++) {
            String c = captions.get(i);
            if (c != null && !c.isBlank() && (!training || e.conditioner().acceptsForTraining(Sample.condition(-1, c)))) {
                todo.add(i);
            }
        }
        for (int from = 0; from < todo.size(); from += e.job().batch()) {
            List<Integer> part = todo.subList(from, Math.min(todo.size(), from + e.job().batch()));
            List<Sample> batch = part.stream().map(i -> Sample.condition(-1, captions.get(i))).toList();
            try (NDManager m = e.manager().newSubManager()) {
                Conditioning c = e.conditioner().encode(batch, null, training, m);
                List<CaptionEmbedding> embedded = CaptionEmbedding.rows(c.tokens(), c.mask(), e.origin());
                for (int k = 0; k < part.size(); k++) {
                    rows[part.get(k)] = embedded.get(k);
                }
            }
        }
        CaptionEmbeddingSidecar.write(tsv, captions, Arrays.asList(rows), e.origin(), dim, e.manager());
        return new ShardResult(name, captions.size(), todo.size(), captions.size() - todo.size(), false,
                (System.nanoTime() - t0) / 1e9);
    }
}
