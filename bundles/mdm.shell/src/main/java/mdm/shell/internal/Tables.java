package mdm.shell.internal;

import java.util.List;

/** Plain-text tables with aligned columns. */
final class Tables {
    private Tables() {
    }

    static String format(List<String[]> rows) {
        int columns = rows.get(0).length;
        int[] width = new int[columns];
        for (String[] row : rows) {
            for (int i = 0; i < columns; i++) {
                width[i] = Math.max(width[i], row[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (String[] row : rows) {
            for (int i = 0; i < columns; i++) {
                out.append(row[i]);
                if (i < columns - 1) {
                    out.append(" ".repeat(width[i] - row[i].length() + 2));
                }
            }
            out.append('\n');
        }
        return out.toString();
    }
}
