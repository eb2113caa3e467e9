package mdm.trainer.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import mdm.api.MdmException;
import mdm.core.config.Names;

/** Components from a plain map, for tests and tools that run outside a framework. */
public final class MapComponentRegistry implements ComponentRegistry {
    private final Map<String, Map<String, Object>> byKind = new LinkedHashMap<>();

    /** Registers {@code component} as {@code kind}/{@code name}; returns this for chaining. */
    public MapComponentRegistry put(String kind, String name, Object component) {
        byKind.computeIfAbsent(kind, k -> new LinkedHashMap<>()).put(name, component);
        return this;
    }

    @Override
    public <T> Lease<T> acquire(Class<T> type, String kind, String name) {
        Object c = byKind.getOrDefault(kind, Map.of()).get(name);
        if (c == null) {
            throw new MdmException("no " + kind + " named '" + name + "' is registered. "
                    + Names.suggestion(name, names(kind)));
        }
        T service = type.cast(c);
        return new Lease<>() {
            @Override
            public T service() {
                return service;
            }

            @Override
            public String origin() {
                return "classpath";
            }

            @Override
            public void release() {
            }
        };
    }

    @Override
    public List<String> names(String kind) {
        return new ArrayList<>(byKind.getOrDefault(kind, Map.of()).keySet());
    }
}
