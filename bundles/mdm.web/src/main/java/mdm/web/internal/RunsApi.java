package mdm.web.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import mdm.api.runs.CheckpointInfo;
import mdm.api.runs.RunInfo;

/** Runs on disk: their checkpoints, sample grids, loss curves, metrics; and study reports. */
final class RunsApi {
    /** Most metrics records one answer carries; the client asks again from where it stopped. */
    static final int METRICS_PAGE = 5000;

    private final Services services;
    private final WorkFiles files;

    RunsApi(Services services, WorkFiles files) {
        this.services = services;
        this.files = files;
    }

    /** Every run inside the work folder, newest first, with its checkpoints (what Generate offers). */
    ArrayNode list() {
        ArrayNode out = Json.MAPPER.createArrayNode();
        for (RunInfo r : services.runs().runs()) {
            if (files.relative(r.folder()) != null) {
                out.add(summary(r));
            }
        }
        return out;
    }

    ObjectNode summary(RunInfo r) {
        ObjectNode o = Json.object();
        o.put("path", files.relative(r.folder()));
        o.put("experiment", r.experiment());
        o.put("modified", r.modified().toString());
        ArrayNode cps = o.putArray("checkpoints");
        for (CheckpointInfo c : r.checkpoints()) {
            cps.addObject().put("path", files.relative(c.folder())).put("step", c.step()).put("stage", c.stage())
                    .put("last", c.last()).put("written", c.written().toString());
        }
        return o;
    }

    /** A run folder named by the client (relative to the work folder). */
    RunInfo run(String path) {
        Path folder = files.resolve(path, "path");
        return services.runs().run(folder).filter(r -> files.relative(r.folder()) != null).orElseThrow(() ->
                WebError.notFound("no run at " + WorkFiles.printable(path) + ": GET /api/runs lists the runs"));
    }

    /** The run with its sample grids (newest first) and loss curve images. */
    ObjectNode detail(RunInfo r) {
        ObjectNode o = summary(r);
        ArrayNode samples = o.putArray("samples");
        for (Path p : images(r.samples())) {
            samples.addObject().put("name", p.getFileName().toString()).put("url", files.url(p))
                    .put("modified", modified(p));
        }
        ArrayNode curves = o.putArray("curves");
        for (Path p : images(r.folder())) {
            if (p.getFileName().toString().startsWith("loss")) {
                curves.addObject().put("name", p.getFileName().toString()).put("url", files.url(p));
            }
        }
        o.put("metrics", Files.isRegularFile(r.metrics()) ? files.url(r.metrics()) : null);
        return o;
    }

    /**
     * Records of {@code metrics.jsonl} from line {@code from} on (complete lines only: the last
     * may be half written). A file that became shorter (a resumed run cuts what came after its
     * checkpoint) is read again from the start, flagged {@code reset}.
     */
    ObjectNode metrics(RunInfo r, long from) throws IOException {
        ObjectNode o = Json.object();
        ArrayNode records = o.putArray("records");
        long line = 0;
        long first = from;
        List<String> lines = completeLines(r.metrics());
        if (from > lines.size()) {
            first = 0;
            o.put("reset", true);
        }
        for (String text : lines) {
            if (line++ < first || text.isBlank()) {
                continue;
            }
            if (records.size() >= METRICS_PAGE) {
                line--;
                break;
            }
            try {
                JsonNode n = Json.MAPPER.readTree(text);
                if (n.isObject()) {
                    records.add(n);
                }
            } catch (IOException e) {
                // a line we cannot read is skipped, not the whole curve
            }
        }
        o.put("next", Math.min(line, lines.size()));
        return o;
    }

    private static List<String> completeLines(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            return List.of();
        }
        String text = Files.readString(file, StandardCharsets.UTF_8);
        int end = text.lastIndexOf('\n');
        if (end < 0) {
            return List.of();
        }
        try (BufferedReader r = new BufferedReader(new java.io.StringReader(text.substring(0, end + 1)))) {
            return r.lines().toList();
        }
    }

    /** Study folders ({@code studies/<name>}) with their report and plots, newest first. */
    ArrayNode studies() throws IOException {
        ArrayNode out = Json.MAPPER.createArrayNode();
        Path root = files.work().resolve(WorkFiles.STUDIES);
        if (!Files.isDirectory(root)) {
            return out;
        }
        List<Path> folders;
        try (Stream<Path> s = Files.list(root)) {
            folders = s.filter(Files::isDirectory).filter(p -> !p.getFileName().toString().startsWith("."))
                    .sorted(Comparator.comparing(RunsApi::mtime).reversed()).toList();
        }
        for (Path study : folders) {
            ObjectNode o = out.addObject();
            o.put("name", study.getFileName().toString());
            o.put("path", files.relative(study));
            o.put("modified", modified(study));
            Path report = study.resolve("report.md");
            o.put("report", Files.isRegularFile(report) ? files.url(report) : null);
            ArrayNode plots = o.putArray("plots");
            try (Stream<Path> s = Files.walk(study, 2)) {
                s.filter(Files::isRegularFile).filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png"))
                        .filter(p -> !hidden(study.relativize(p))).sorted().limit(60)
                        .forEach(p -> plots.addObject().put("name", study.relativize(p).toString()).put("url", files.url(p)));
            }
        }
        return out;
    }

    private static boolean hidden(Path relative) {
        for (Path segment : relative) {
            if (segment.toString().startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    /** PNG and GIF files directly in a folder, newest first. */
    static List<Path> images(Path folder) {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(folder)) {
            return s.filter(Files::isRegularFile).filter(p -> {
                String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
                return !n.startsWith(".") && (n.endsWith(".png") || n.endsWith(".gif"));
            }).sorted(Comparator.comparing(RunsApi::mtime).reversed().thenComparing(Path::toString)).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    static long mtime(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }

    static String modified(Path p) {
        try {
            return Files.getLastModifiedTime(p).toInstant().toString();
        } catch (IOException e) {
            return "";
        }
    }
}
