package mdm.spark;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import mdm.api.MdmException;
import mdm.api.eval.QualityReport;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Command line of the Spark evaluation, with mdm:eval's options:
 * {@code <checkpoint> [--n N] [--seed S] [--steps K] [--guidance G] [--sampler S] [--ema] [--metrics fd,kid]
 * [--features NAME] [--batch B] [--work DIR] [--partitions P] [--master local[2]]}. The master defaults to
 * what {@code spark-submit} sets, else {@code local[*]}. Writes {@code eval.json} beside the checkpoint and
 * prints the figures and the time per 1,000 images.
 */
public final class EvalMain {
    private EvalMain() {
    }

    public static void main(String[] args) {
        if (args.length == 0 || args[0].startsWith("--")) {
            System.err.println("usage: EvalMain <checkpoint> [--n N] [--seed S] [--steps K] [--guidance G] [--sampler S] "
                    + "[--ema] [--metrics fd,kid] [--features NAME] [--batch B] [--work DIR] [--partitions P] "
                    + "[--master URL]");
            System.exit(2);
        }
        Path checkpoint = Path.of(args[0]);
        int n = 2000;
        long seed = 0;
        Integer steps = null;
        Double guidance = null;
        String sampler = null;
        boolean ema = false;
        List<String> metrics = List.of("fd", "kid");
        String features = null;
        int batch = 0;
        Path work = Path.of("work");
        int partitions = 0;
        String master = null;
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--ema")) {
                ema = true;
                continue;
            }
            if (i + 1 >= args.length) {
                throw new MdmException("option " + a + " needs a value");
            }
            String v = args[++i];
            switch (a) {
                case "--n" -> n = Integer.parseInt(v);
                case "--seed" -> seed = Long.parseLong(v);
                case "--steps" -> steps = Integer.parseInt(v);
                case "--guidance" -> guidance = Double.parseDouble(v);
                case "--sampler" -> sampler = v;
                case "--metrics" -> metrics = Arrays.asList(v.split(","));
                case "--features" -> features = v;
                case "--batch" -> batch = Integer.parseInt(v);
                case "--work" -> work = Path.of(v);
                case "--partitions" -> partitions = Integer.parseInt(v);
                case "--master" -> master = v;
                default -> throw new MdmException("unknown option " + a);
            }
        }
        EvalJob job = new EvalJob(checkpoint.toAbsolutePath().toString(), n, sampler, steps, guidance, seed, ema,
                new ArrayList<>(metrics), features, batch, work.toAbsolutePath().toString());
        SparkConf conf = new SparkConf().setAppName("mdm-eval").set("spark.ui.showConsoleProgress", "false");
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
            QualityReport r = SparkEvaluation.run(sc, job, p, e -> {
                if (e.phase().startsWith("generated")) {
                    System.out.printf(Locale.ROOT, "%s: %d images, %.2f images/s, %.1f s per 1,000 images "
                            + "(%.1f s per 1,000 per task slot)%n", e.phase(), e.done(), e.perSecond(),
                            1000 / e.perSecond(), 1000 / e.perSecond() * cores);
                }
            });
            double secs = (System.nanoTime() - t0) / 1e9;
            StringBuilder out = new StringBuilder();
            r.figures().forEach((k, v) -> out.append(String.format(Locale.ROOT, " %s %.4f", k, v)));
            System.out.printf(Locale.ROOT, "N = %d on %s (%d task slots, %d partitions):%s%n", r.n(), sc.master(), cores,
                    p, out);
            System.out.printf(Locale.ROOT, "%.1f s in all, %.1f s per 1,000 images (%.1f s per 1,000 per task slot); %s%n",
                    secs, secs * 1000 / r.n(), secs * 1000 / r.n() * cores, r.file());
        }
    }
}
