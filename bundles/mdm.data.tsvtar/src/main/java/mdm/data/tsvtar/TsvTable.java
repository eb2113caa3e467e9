package mdm.data.tsvtar;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import mdm.api.MdmException;

/**
 * A tab-separated file with a header row and {@code "} quoting (a quoted field may hold tabs,
 * newlines and doubled quotes), as pandas writes it. Rows remember the line they start on.
 */
record TsvTable(Path file, List<String> header, List<Row> rows) {
    record Row(int line, List<String> fields) {
    }

    static TsvTable read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new MdmException("TSV file not found: " + file.toAbsolutePath());
        } catch (IOException e) {
            throw new MdmException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        List<Row> rows = parse(text, file);
        if (rows.isEmpty()) {
            throw new MdmException(file + " is empty: expected a header row");
        }
        return new TsvTable(file, rows.get(0).fields(), List.copyOf(rows.subList(1, rows.size())));
    }

    /** The column's index, or −1. */
    int column(String name) {
        for (int i = 0; i < header.size(); i++) {
            if (header.get(i).trim().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    private static List<Row> parse(String text, Path file) {
        List<Row> rows = new ArrayList<>();
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        int line = 1;
        int rowLine = 1;
        boolean quoted = false;
        boolean atFieldStart = true;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quoted) {
                if (c == '"') {
                    if (i + 1 < text.length() && text.charAt(i + 1) == '"') {
                        field.append('"');
                        i++;
                    } else {
                        quoted = false;
                    }
                } else {
                    if (c == '\n') {
                        line++;
                    }
                    field.append(c);
                }
                continue;
            }
            if (c == '"' && atFieldStart) {
                quoted = true;
                atFieldStart = false;
            } else if (c == '\t') {
                fields.add(field.toString());
                field.setLength(0);
                atFieldStart = true;
            } else if (c == '\n' || c == '\r') {
                if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                    i++;
                }
                fields.add(field.toString());
                field.setLength(0);
                if (!(fields.size() == 1 && fields.get(0).isEmpty())) {
                    rows.add(new Row(rowLine, List.copyOf(fields)));
                }
                fields.clear();
                atFieldStart = true;
                line++;
                rowLine = line;
            } else {
                field.append(c);
                atFieldStart = false;
            }
        }
        if (quoted) {
            throw new MdmException(file + ": a quoted field opened on line " + rowLine + " is never closed");
        }
        if (field.length() > 0 || !fields.isEmpty()) {
            fields.add(field.toString());
            rows.add(new Row(rowLine, List.copyOf(fields)));
        }
        return rows;
    }
}
