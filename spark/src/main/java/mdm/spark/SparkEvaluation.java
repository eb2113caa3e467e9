package mdm.spark;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import mdm.api.eval.EvalProgress;
import mdm.api.eval.Features;
import mdm.api.eval.QualityReport;
import mdm.eval.quality.QualityService;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * {@code mdm:eval} as a Spark job. The N images are cut into the chunks mdm:eval embeds at a time
 * ({@link QualityService#BATCH}); the chunks are spread over the executors, each of which loads the model once
 * per core ({@link Workers}), generates its chunks — every generation batch with the noise seed mdm:eval gives
 * it — and embeds them with the evaluation feature network. The driver gathers the features in chunk order and
 * measures them against the reference features exactly as mdm:eval does, so the figures are mdm:eval's for the
 * same seed, bit for bit. Only feature vectors travel (128 floats per image).
 */
public final class SparkEvaluation {
    private SparkEvaluation() {
    }

    /**
     * Runs {@code job} over {@code partitions} partitions (at least the number of executor cores, for balance)
     * and writes {@code eval.json} beside the checkpoint, as mdm:eval does.
     */
    public static QualityReport run(JavaSparkContext sc, EvalJob job, int partitions, Consumer<EvalProgress> progress) {
        // the request is checked and the chunking fixed on the driver, before any executor starts
        Workers.Worker driver = Workers.borrow(job);
        int chunks;
        try {
            chunks = driver.generation().chunks(QualityService.BATCH);
        } finally {
            Workers.giveBack(driver);
        }
        long t0 = System.nanoTime();
        JavaRDD<Integer> ids = sc.parallelize(IntStream.range(0, chunks).boxed().toList(),
                Math.max(1, Math.min(partitions, chunks)));
        List<FeatureChunk> embedded = new ArrayList<>(ids.mapPartitions(it -> {
            List<FeatureChunk> out = new ArrayList<>();
            Workers.Worker w = Workers.borrow(job);
            try {
                while (it.hasNext()) {
                    int c = it.next();
                    var images = w.generation().chunk(c, QualityService.BATCH);
                    out.add(FeatureChunk.of(c, w.quality().embed(w.generation().qualityRequest(), images)));
                }
            } finally {
                Workers.giveBack(w);
            }
            return out.iterator();
        }).collect());
        double secs = (System.nanoTime() - t0) / 1e9;
        progress.accept(new EvalProgress("generated and embedded on the executors", job.n(), job.n(),
                secs > 0 ? job.n() / secs : 0));
        embedded.sort(Comparator.comparingInt(FeatureChunk::index));
        List<Features> features = embedded.stream().map(FeatureChunk::features).toList();
        Workers.Worker w = Workers.borrow(job);
        try {
            return w.quality().measureFeatures(w.generation().qualityRequest(), features, progress);
        } finally {
            Workers.giveBack(w);
        }
    }

    /** Closes the models this JVM loaded for {@code job}; returns how many. */
    public static int release(EvalJob job) {
        return Workers.release(job);
    }
}
