package mdm.conditioner.text;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Files under testdata/ (system property mdm.testdata, set by surefire). */
final class TestData {
    private TestData() {
    }

    static Path dir() {
        String dir = System.getProperty("mdm.testdata");
        if (dir == null) {
            throw new IllegalStateException("system property mdm.testdata is not set (surefire sets it to <repo>/testdata)");
        }
        return Path.of(dir);
    }

    static Path data(String name) {
        return dir().resolve("data").resolve(name);
    }

    /** One column of a prompt file; {@code header} names it, or null for a file without a header (first column). */
    static List<String> prompts(String file, String header) throws IOException {
        List<String> lines = Files.readAllLines(data(file), StandardCharsets.UTF_8);
        int column = 0;
        int first = 0;
        if (header != null) {
            column = List.of(lines.get(0).split("\t", -1)).indexOf(header);
            first = 1;
        }
        List<String> out = new ArrayList<>();
        for (String line : lines.subList(first, lines.size())) {
            if (!line.isEmpty()) {
                out.add(line.split("\t", -1)[column]);
            }
        }
        return out;
    }
}
