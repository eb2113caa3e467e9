package mdm.web.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import mdm.api.train.ExperimentSpec;
import mdm.api.train.StageSpec;

/**
 * Experiment specs for the Train page: the ones in the spec folders (the project's samples), and
 * pasted ones, which are kept as files under {@code <work>/specs/} so that a run can be repeated
 * from the shell. Validation is the trainer's, so the page shows the shell's messages.
 */
final class SpecsApi {
    /** Largest spec file the page loads into its editor. */
    static final long MAX_SPEC_BYTES = 256 * 1024;
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private final Services services;
    private final WorkFiles files;
    private final List<Path> folders;
    private final AtomicInteger pasted = new AtomicInteger();

    SpecsApi(Services services, WorkFiles files, List<Path> folders) {
        this.services = services;
        this.files = files;
        this.folders = List.copyOf(folders);
    }

    List<Path> folders() {
        return folders;
    }

    /** The spec files of the spec folders with their first comment line and their text. */
    ArrayNode list() throws IOException {
        ArrayNode out = Json.MAPPER.createArrayNode();
        for (Path file : specFiles()) {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            String description = text.lines().filter(l -> l.startsWith("#")).findFirst()
                    .map(l -> l.replaceFirst("^#+\\s*", "")).orElse("");
            out.addObject().put("name", file.getFileName().toString()).put("folder", file.getParent().toString())
                    .put("description", description).put("text", text);
        }
        return out;
    }

    private List<Path> specFiles() throws IOException {
        List<Path> out = new ArrayList<>();
        for (Path folder : folders) {
            if (!Files.isDirectory(folder)) {
                continue;
            }
            try (Stream<Path> s = Files.list(folder)) {
                s.filter(Files::isRegularFile).filter(SpecsApi::isSpecName).filter(p -> size(p) <= MAX_SPEC_BYTES)
                        .sorted().forEach(out::add);
            }
        }
        return out;
    }

    private static boolean isSpecName(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return !n.startsWith(".") && (n.endsWith(".yaml") || n.endsWith(".yml") || n.endsWith(".json"));
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return Long.MAX_VALUE;
        }
    }

    /** A spec of the spec folders by its file name (no paths: the page offers only these). */
    Path named(String name) throws IOException {
        List<Path> all = specFiles();
        return all.stream().filter(p -> p.getFileName().toString().equals(name)).findFirst().orElseThrow(() ->
                WebError.notFound("no spec named '" + WorkFiles.printable(name) + "'"
                        + (all.isEmpty() ? " (no spec folder is configured: paste the spec instead)"
                        : "; the specs are " + String.join(", ", all.stream().map(p -> p.getFileName().toString()).toList()))));
    }

    /**
     * Keeps a pasted spec that validated (written first to a hidden file beside where it is kept,
     * so that its relative imports resolve the same) as {@code <work>/specs/pasted-<time>-<n>.yaml}.
     */
    Path keep(Path validated) throws IOException {
        if (!isTemporary(validated)) {
            return validated;
        }
        Path file = validated.resolveSibling("pasted-" + LocalDateTime.now().format(STAMP) + "-"
                + pasted.incrementAndGet() + ".yaml");
        return Files.move(validated, file);
    }

    /** Removes a pasted spec that did not make it (a spec of the spec folders is left alone). */
    void discard(Path spec) throws IOException {
        if (isTemporary(spec)) {
            Files.deleteIfExists(spec);
        }
    }

    private static boolean isTemporary(Path spec) {
        return spec.getFileName().toString().startsWith(".validate-");
    }

    /**
     * The spec a request names ({@code spec}: a file of the spec folders) or carries ({@code yaml}:
     * then written to a temporary file, to {@link #keep} or {@link #discard}).
     */
    Path specOf(Fields f) throws IOException {
        String name = f.text("spec");
        String yaml = f.has("yaml") ? f.text("yaml") : null;
        if ((name == null) == (yaml == null)) {
            throw WebError.badRequest("give either 'spec' (the name of a spec in " + folderNames()
                    + ") or 'yaml' (the spec's text)");
        }
        if (name != null) {
            return named(name);
        }
        Path folder = files.work().resolve("specs");
        Files.createDirectories(folder);
        Path tmp = Files.createTempFile(folder, ".validate-", ".yaml");
        Files.writeString(tmp, yaml, StandardCharsets.UTF_8);
        return tmp;
    }

    /** Validates without training: the trainer's verdict, or its message as a 400. */
    ObjectNode validate(Fields f) throws IOException {
        Path spec = specOf(f);
        try {
            ExperimentSpec s = services.trainer().validate(spec);
            ObjectNode o = Json.object().put("valid", true).put("experiment", s.name()).put("totalSteps", s.totalSteps())
                    .put("output", s.output());
            ArrayNode stages = o.putArray("stages");
            for (StageSpec st : s.stages()) {
                stages.addObject().put("name", st.name()).put("steps", st.steps());
            }
            return o;
        } finally {
            discard(spec);
        }
    }

    private String folderNames() {
        return folders.isEmpty() ? "the spec folders (none configured)" : folders.toString();
    }
}
