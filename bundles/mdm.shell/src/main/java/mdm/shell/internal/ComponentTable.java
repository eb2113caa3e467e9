package mdm.shell.internal;

import java.util.ArrayList;
import java.util.List;
import mdm.features.ComponentDirectory;
import mdm.features.ComponentInfo;

/** The registry's components as a table for the shell (the listing itself is the {@link ComponentDirectory} service). */
final class ComponentTable {
    private ComponentTable() {
    }

    static List<String> names(Object property) {
        if (property instanceof String s) {
            return List.of(s);
        }
        if (property instanceof String[] a) {
            return List.of(a);
        }
        if (property instanceof java.util.Collection<?> c) {
            return c.stream().map(String::valueOf).toList();
        }
        return List.of("?");
    }

    static String format(List<ComponentInfo> rows) {
        List<String[]> cells = new ArrayList<>();
        cells.add(new String[] {"KIND", "NAME", "BUNDLE", "VERSION", "RANKING"});
        for (ComponentInfo r : rows) {
            cells.add(new String[] {r.kind(), r.name(), r.bundle(), r.version(), Integer.toString(r.ranking())});
        }
        return Tables.format(cells);
    }
}
