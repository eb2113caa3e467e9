package mdm.shell.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import mdm.api.Components;
import mdm.api.MdmException;
import mdm.api.data.DatasetProvider;
import mdm.core.config.Names;
import org.osgi.framework.Constants;

/**
 * The dataset components the shell can use, kept from Declarative Services' bind and unbind calls:
 * a name given on the command line is looked up here, never turned into a registry filter. Of
 * several with one name the highest service ranking wins (then the oldest), as everywhere in mdm.
 */
final class Datasets {
    private record Entry(DatasetProvider provider, String name, int ranking, long id) {
    }

    private final List<Entry> entries = new CopyOnWriteArrayList<>();

    void add(DatasetProvider provider, Map<String, ?> properties) {
        Object name = properties.get(Components.NAME);
        if (name == null) {
            return; // not findable by name
        }
        Object ranking = properties.get(Constants.SERVICE_RANKING);
        Object id = properties.get(Constants.SERVICE_ID);
        entries.add(new Entry(provider, String.valueOf(name), ranking instanceof Integer r ? r : 0,
                id instanceof Long l ? l : Long.MAX_VALUE));
    }

    void remove(DatasetProvider provider) {
        entries.removeIf(e -> e.provider() == provider);
    }

    /**
     * @throws MdmException for an empty name, or no dataset of that name (with the registered names
     *                      and the nearest one)
     */
    DatasetProvider get(String name) {
        if (name == null || name.isBlank()) {
            throw new MdmException("give a dataset name, e.g. shapes (mdm:list shows the registered ones)");
        }
        return entries.stream().filter(e -> e.name().equals(name))
                .max(Comparator.comparingInt(Entry::ranking).thenComparing(Entry::id, Comparator.reverseOrder()))
                .map(Entry::provider)
                .orElseThrow(() -> new MdmException("no dataset named '" + name + "'. " + Names.suggestion(name, names())));
    }

    List<String> names() {
        List<String> out = new ArrayList<>();
        entries.forEach(e -> {
            if (!out.contains(e.name())) {
                out.add(e.name());
            }
        });
        return out;
    }
}
