package mdm.itests;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The runtime as {@code ./mdm} starts it, one command per JVM, for the tests that must kill it
 * ({@code kill -9}) and start it again: the launch, its output and the steps a run logged.
 */
final class RuntimeProcesses {
    private RuntimeProcesses() {
    }

    /**
     * Starts {@code mdm.runtime.Launcher command…} with the work folder {@code work}; its output is
     * appended to {@code work/<command>.log} (a killed run's lines stay there for the failure message).
     */
    static Process launch(Path work, String... command) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx4g", "-Djava.awt.headless=true", "-Dmdm.home=" + MdmRuntime.HOME, "-Dmdm.work=" + work,
                "-Dorg.osgi.service.http.port=0", // the dashboard on a free port, never a user's 8642
                "-cp", MdmRuntime.HOME.resolve("lib") + File.separator + "*", "mdm.runtime.Launcher"));
        for (String key : new String[] {"DJL_CACHE_DIR", "ENGINE_CACHE_DIR"}) {
            if (System.getProperty(key) != null) { // reuse the build's extracted natives
                cmd.add(cmd.size() - 1, "-D" + key + "=" + System.getProperty(key));
            }
        }
        cmd.addAll(List.of(command));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log(work, command[0]).toFile()));
        pb.environment().put("GLIBC_TUNABLES", System.getenv().getOrDefault("GLIBC_TUNABLES", ""));
        return pb.start();
    }

    /** What the runs of {@code command} (e.g. {@code mdm:train}) printed so far. */
    static String output(Path work, String command) throws IOException {
        Path log = log(work, command);
        return Files.exists(log) ? Files.readString(log) : "";
    }

    /** The steps with a loss in the run's metrics.jsonl, in file order. */
    static List<Long> loggedSteps(Path run) throws IOException {
        Path metrics = run.resolve("metrics.jsonl");
        List<Long> steps = new ArrayList<>();
        if (!Files.exists(metrics)) {
            return steps;
        }
        for (String line : Files.readAllLines(metrics)) {
            if (line.contains("\"loss\":") && line.startsWith("{\"step\":")) {
                steps.add(Long.parseLong(line.substring(8, line.indexOf(','))));
            }
        }
        return steps;
    }

    static long lastLoggedStep(Path run) throws IOException {
        List<Long> s = loggedSteps(run);
        return s.isEmpty() ? 0 : s.get(s.size() - 1);
    }

    private static Path log(Path work, String command) {
        return work.resolve(command.replace(':', '-') + ".log");
    }
}
