package mdm.itests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Paths and small file helpers shared by the integration tests. */
final class Itest {
    static final Path RESOURCES = Path.of(System.getProperty("mdm.itest.resources", "src/test/resources")).toAbsolutePath();
    static final Path TESTDATA = Path.of(System.getProperty("mdm.testdata", "../testdata")).toAbsolutePath();
    static final Path SAMPLES = Path.of(System.getProperty("mdm.samples", "../samples")).toAbsolutePath();

    private Itest() {
    }

    /** The "loss" values of a run's metrics, in step order. */
    static List<Double> losses(Path run) throws IOException {
        List<Double> out = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) {
            int i = line.indexOf("\"loss\":");
            if (i >= 0) {
                int end = i + 7;
                while (end < line.length() && ",}".indexOf(line.charAt(end)) < 0) {
                    end++;
                }
                out.add(Double.parseDouble(line.substring(i + 7, end)));
            }
        }
        return out;
    }
}
