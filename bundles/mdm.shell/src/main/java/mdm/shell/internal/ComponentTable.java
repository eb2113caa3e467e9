package mdm.shell.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import mdm.api.Components;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

/** What the registry holds right now: every service that carries an {@code mdm.kind}. */
final class ComponentTable {
    record Row(String kind, String name, String bundle, String version, int ranking, long serviceId) {
    }

    private ComponentTable() {
    }

    static List<Row> read(BundleContext context) {
        ServiceReference<?>[] refs;
        try {
            refs = context.getAllServiceReferences(null, "(" + Components.KIND + "=*)");
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
        List<Row> rows = new ArrayList<>();
        if (refs != null) {
            for (ServiceReference<?> ref : refs) {
                Object ranking = ref.getProperty(Constants.SERVICE_RANKING);
                for (String name : names(ref.getProperty(Components.NAME))) {
                    rows.add(new Row(String.valueOf(ref.getProperty(Components.KIND)), name,
                            ref.getBundle().getSymbolicName(), ref.getBundle().getVersion().toString(),
                            ranking instanceof Integer r ? r : 0 /* the framework ignores a ranking that is not an Integer */, (Long) ref.getProperty(Constants.SERVICE_ID)));
                }
            }
        }
        rows.sort(Comparator.comparing(Row::kind).thenComparing(Row::name).thenComparing(r -> -r.ranking()));
        return rows;
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

    static String format(List<Row> rows) {
        List<String[]> cells = new ArrayList<>();
        cells.add(new String[] {"KIND", "NAME", "BUNDLE", "VERSION", "RANKING"});
        for (Row r : rows) {
            cells.add(new String[] {r.kind(), r.name(), r.bundle(), r.version(), Integer.toString(r.ranking())});
        }
        return Tables.format(cells);
    }
}
