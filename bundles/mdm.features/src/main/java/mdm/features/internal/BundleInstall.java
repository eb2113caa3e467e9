package mdm.features.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Consumer;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;

/**
 * A feature's bundles installed and started as one step. If a bundle cannot be installed or started
 * (or {@code configure} fails), every bundle this step installed is stopped and uninstalled again,
 * newest first, and the framework refreshed, so a failed install leaves the runtime as it found it;
 * bundles that were already present are left alone.
 */
final class BundleInstall {
    private BundleInstall() {
    }

    /**
     * @param locations bundle locations in the feature's order
     * @param configure applied after installing and before starting (the feature's configurations)
     * @param refresh   refreshes the framework after bundles were removed
     * @throws IllegalStateException naming the bundle that failed and saying that the step was undone
     */
    static List<Bundle> run(BundleContext context, List<String> locations, Runnable configure, List<String> log,
                            Consumer<Collection<Bundle>> refresh) {
        List<Bundle> bundles = new ArrayList<>();
        List<Bundle> added = new ArrayList<>();
        String current = null;
        try {
            for (String location : locations) {
                current = location;
                Bundle existing = context.getBundle(location);
                Bundle b = existing != null ? existing : context.installBundle(location);
                bundles.add(b);
                if (existing == null) {
                    added.add(b);
                }
                log.add((existing != null ? "present   " : "installed ") + b.getSymbolicName() + " " + b.getVersion());
            }
            current = "the feature's configurations";
            configure.run();
            for (Bundle b : bundles) {
                if (b.getHeaders().get(Constants.FRAGMENT_HOST) == null) {
                    current = b.getSymbolicName() + " " + b.getVersion();
                    b.start();
                }
            }
            return bundles;
        } catch (BundleException | RuntimeException e) {
            List<String> undone = undo(added);
            refresh.accept(added);
            throw new IllegalStateException("failed at " + current + ": " + e.getMessage()
                    + (undone.isEmpty() ? "" : "; undone: uninstalled " + String.join(", ", undone)), e);
        }
    }

    private static List<String> undo(List<Bundle> added) {
        List<String> undone = new ArrayList<>();
        for (int i = added.size() - 1; i >= 0; i--) {
            Bundle b = added.get(i);
            try {
                b.uninstall(); // stops it first if it started
                undone.add(b.getSymbolicName() + " " + b.getVersion());
            } catch (BundleException | RuntimeException ignored) {
                // already gone, or the framework refuses: nothing more can be undone for this bundle
            }
        }
        return undone;
    }
}
