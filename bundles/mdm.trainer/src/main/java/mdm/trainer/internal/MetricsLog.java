package mdm.trainer.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import mdm.core.config.Json;
import mdm.core.io.AtomicFiles;

/**
 * {@code metrics.jsonl}: one JSON object per logged step. A resumed run first cuts the lines
 * logged after its checkpoint, so the file reads as if the run had never been interrupted.
 */
final class MetricsLog implements AutoCloseable {
    private final Path file;
    private BufferedWriter writer;

    MetricsLog(Path runFolder) {
        this.file = runFolder.resolve("metrics.jsonl");
    }

    Path file() {
        return file;
    }

    /** Opens for appending, dropping records with a step above {@code keepUpTo} (all of them when negative). */
    void open(long keepUpTo) {
        try {
            List<String> kept = new ArrayList<>();
            if (Files.exists(file) && keepUpTo >= 0) {
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    JsonNode n = parse(line);
                    if (n != null && n.path("step").asLong(Long.MAX_VALUE) <= keepUpTo) {
                        kept.add(line);
                    }
                }
            }
            // the kept records replace the file whole: a crash here leaves the old file, never half of it
            AtomicFiles.writeString(file, kept.isEmpty() ? "" : String.join("\n", kept) + "\n");
            writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open " + file, e);
        }
    }

    void append(ObjectNode record) {
        try {
            writer.write(record.toString());
            writer.newLine();
            writer.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** Every record written so far (also by earlier runs). */
    List<JsonNode> records() {
        List<JsonNode> out = new ArrayList<>();
        try {
            if (Files.exists(file)) {
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    JsonNode n = parse(line);
                    if (n != null) {
                        out.add(n);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static JsonNode parse(String line) {
        if (line.isBlank()) {
            return null;
        }
        try {
            return Json.mapper().readTree(line);
        } catch (IOException e) {
            return null; // a line cut by a crash
        }
    }

    @Override
    public void close() {
        if (writer != null) {
            try {
                writer.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
