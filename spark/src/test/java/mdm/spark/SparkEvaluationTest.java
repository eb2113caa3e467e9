package mdm.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mdm.api.MdmException;
import mdm.api.eval.QualityReport;
import mdm.api.train.Job;
import mdm.api.train.JobState;
import mdm.api.train.TrainRequest;
import mdm.core.runtime.EngineRuntime;
import mdm.trainer.internal.CheckpointEvaluation;
import mdm.trainer.internal.TrainingService;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Spark evaluation gives mdm:eval's figures for the same seed: a tiny model trained two steps, 260 images
 * (two chunks of mdm:eval's 250, generated in batches of 100, so the second chunk starts at the fourth noise
 * seed) measured by Spark in local mode with two task slots, and by mdm:eval's own code in this JVM.
 */
class SparkEvaluationTest {
    @Test
    void sparkGivesTheFiguresOfMdmEval(@TempDir Path work) throws Exception {
        EngineRuntime runtime = Workers.runtime();
        Path spec = Path.of(SparkEvaluationTest.class.getResource("/tiny-nested.yaml").toURI());
        Path run = work.resolve("run");
        long t0 = System.nanoTime();
        try (TrainingService trainer = new TrainingService(LocalComponents.registry(runtime, work), runtime, work)) {
            Job job = trainer.start(new TrainRequest(spec, 2L, run, false));
            assertTrue(job.await(5, TimeUnit.MINUTES));
            assertEquals(JobState.COMPLETED, job.state(), job.reason().orElse(""));
        }
        long t1 = System.nanoTime();
        EvalJob job = new EvalJob(run.toString(), 260, null, 2, 1.0, 7, false,
                new java.util.ArrayList<>(List.of("fd", "kid")), null, 100, work.toString());
        SparkConf conf = new SparkConf().setMaster("local[2]").setAppName("mdm-eval-test")
                .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1")
                .set("spark.ui.showConsoleProgress", "false");
        QualityReport spark;
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
            spark = SparkEvaluation.run(sc, job, 2, p -> { });
            // bad input stops on the driver, before any task: mdm:eval's own checks
            EvalJob one = new EvalJob(run.toString(), 1, null, 2, 1.0, 7, false,
                    new java.util.ArrayList<>(List.of("fd")), null, 100, work.toString());
            MdmException few = assertThrows(MdmException.class, () -> SparkEvaluation.run(sc, one, 2, p -> { }));
            assertTrue(few.getMessage().startsWith("N = 1 is too few"), few.getMessage());
            EvalJob metric = new EvalJob(run.toString(), 260, null, 2, 1.0, 7, false,
                    new java.util.ArrayList<>(List.of("fid2")), null, 100, work.toString());
            MdmException unknown = assertThrows(MdmException.class, () -> SparkEvaluation.run(sc, metric, 2, p -> { }));
            assertTrue(unknown.getMessage().contains("fid2"), unknown.getMessage());
        }
        long t2 = System.nanoTime();
        int loaded = SparkEvaluation.release(job);
        QualityReport local = new CheckpointEvaluation(LocalComponents.registry(runtime, work), runtime)
                .evaluate(job.request(), p -> { });
        long t3 = System.nanoTime();
        System.out.printf("Spark local[2]: fd %.6f kid %.6f (%d models loaded); mdm:eval: fd %.6f kid %.6f; "
                        + "train %.1f s, spark %.1f s, mdm:eval %.1f s%n", spark.figures().get("fd"),
                spark.figures().get("kid"), loaded, local.figures().get("fd"), local.figures().get("kid"),
                (t1 - t0) / 1e9, (t2 - t1) / 1e9, (t3 - t2) / 1e9);
        assertEquals(260, spark.n());
        assertEquals(local.figures(), spark.figures(), "the same images, embedded in the same chunks");
        assertTrue(loaded >= 1 && loaded <= 3, "one model per task slot (and the driver's check): " + loaded);
    }
}
