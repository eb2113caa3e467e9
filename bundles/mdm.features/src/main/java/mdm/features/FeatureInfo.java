package mdm.features;

import java.util.List;

/** A feature as the shell shows it. */
public record FeatureInfo(String name, String id, String title, boolean boot, boolean installed, List<String> bundles) {
    public FeatureInfo {
        bundles = List.copyOf(bundles);
    }
}
