package mdm.features.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Version;
import org.junit.jupiter.api.Test;

/** A feature whose second bundle cannot start leaves nothing of itself behind; bundles already there stay. */
class BundleInstallTest {
    /** A framework with installed bundles by location; a bundle whose location contains "broken" fails to start. */
    private static final class Framework {
        final Map<String, Bundle> bundles = new LinkedHashMap<>();
        final List<String> events = new ArrayList<>();

        Bundle bundle(String location) {
            Set<String> state = new java.util.HashSet<>();
            return (Bundle) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Bundle.class},
                    (proxy, method, args) -> switch (method.getName()) {
                        case "getSymbolicName" -> location;
                        case "getVersion" -> Version.emptyVersion;
                        case "getHeaders" -> new Hashtable<String, String>();
                        case "start" -> {
                            if (location.contains("broken")) {
                                throw new BundleException("unresolved requirement: osgi.wiring.package=missing");
                            }
                            state.add("started");
                            events.add("start " + location);
                            yield null;
                        }
                        case "uninstall" -> {
                            bundles.remove(location);
                            events.add("uninstall " + location);
                            yield null;
                        }
                        case "hashCode" -> System.identityHashCode(proxy);
                        case "equals" -> proxy == args[0];
                        default -> throw new UnsupportedOperationException(method.getName());
                    });
        }

        BundleContext context() {
            return (BundleContext) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {BundleContext.class},
                    (proxy, method, args) -> switch (method.getName()) {
                        case "getBundle" -> bundles.get((String) args[0]);
                        case "installBundle" -> {
                            Bundle b = bundle((String) args[0]);
                            bundles.put((String) args[0], b);
                            events.add("install " + args[0]);
                            yield b;
                        }
                        default -> throw new UnsupportedOperationException(method.getName());
                    });
        }
    }

    @Test
    void aBundleThatCannotStartUndoesTheWholeStep() {
        Framework fw = new Framework();
        fw.bundles.put("shared", fw.bundle("shared"));
        List<String> log = new ArrayList<>();
        List<Collection<Bundle>> refreshed = new ArrayList<>();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> BundleInstall.run(fw.context(),
                List.of("first", "shared", "broken", "last"), () -> { }, log, refreshed::add));
        assertTrue(e.getMessage().startsWith("failed at broken 0.0.0: unresolved requirement"), e.getMessage());
        assertTrue(e.getMessage().endsWith("undone: uninstalled last 0.0.0, broken 0.0.0, first 0.0.0"), e.getMessage());
        assertEquals(Set.of("shared"), fw.bundles.keySet(), "only the bundle that was there before is left");
        assertEquals(1, refreshed.size());
        assertEquals(3, refreshed.get(0).size());
    }

    @Test
    void aFailingConfigurationUndoesTheInstalls() {
        Framework fw = new Framework();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> BundleInstall.run(fw.context(),
                List.of("a", "b"), () -> {
                    throw new IllegalStateException("cannot apply configuration x");
                }, new ArrayList<>(), removed -> { }));
        assertTrue(e.getMessage().startsWith("failed at the feature's configurations"), e.getMessage());
        assertTrue(fw.bundles.isEmpty());
        assertTrue(fw.events.stream().noneMatch(x -> x.startsWith("start")), "nothing started");
    }

    @Test
    void aSoundFeatureStartsEveryBundleInOrder() {
        Framework fw = new Framework();
        List<String> log = new ArrayList<>();
        assertEquals(2, BundleInstall.run(fw.context(), List.of("a", "b"), () -> { }, log, removed -> { }).size());
        assertEquals(List.of("install a", "install b", "start a", "start b"), fw.events);
        assertEquals(List.of("installed a 0.0.0", "installed b 0.0.0"), log);
    }
}
