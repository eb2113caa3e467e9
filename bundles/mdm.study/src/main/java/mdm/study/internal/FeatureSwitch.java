package mdm.study.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import mdm.api.MdmException;
import mdm.features.FeatureInfo;
import mdm.features.FeatureManager;

/**
 * Installs the features an arm asks for while it trains and is measured, and removes afterwards
 * only those it installed (a feature that was already there stays).
 */
class FeatureSwitch {
    private final Supplier<FeatureManager> manager;

    FeatureSwitch(Supplier<FeatureManager> manager) {
        this.manager = manager;
    }

    /** Fails unless the feature can be installed. */
    void check(String feature, String where) {
        FeatureManager m = manager(where, feature);
        List<FeatureInfo> all = m.features();
        if (all.stream().noneMatch(f -> f.name().equals(feature))) {
            List<String> names = all.stream().map(FeatureInfo::name).toList();
            throw new MdmException(where + ": no feature '" + feature + "' in the features folder; "
                    + mdm.core.config.Names.suggestion(feature, names) + " (mdm:features lists them)");
        }
    }

    /** Runs {@code work} with the features installed; removes those it installed afterwards. */
    <T> T with(List<String> features, Supplier<T> work) {
        List<String> installed = install(features);
        try {
            return work.get();
        } finally {
            uninstall(installed);
        }
    }

    /** Installs those not installed yet; returns them. */
    List<String> install(List<String> features) {
        List<String> done = new ArrayList<>();
        if (features.isEmpty()) {
            return done;
        }
        FeatureManager m = manager("", features.get(0));
        try {
            for (String f : features) {
                boolean there = m.features().stream().anyMatch(i -> i.name().equals(f) && i.installed());
                if (!there) {
                    m.install(f);
                    done.add(f);
                }
            }
        } catch (RuntimeException e) {
            uninstall(done);
            throw e;
        }
        return done;
    }

    void uninstall(List<String> features) {
        if (features.isEmpty()) {
            return;
        }
        FeatureManager m = manager("", features.get(0));
        for (int i = features.size() - 1; i >= 0; i--) {
            m.uninstall(features.get(i));
        }
    }

    private FeatureManager manager(String where, String feature) {
        FeatureManager m = manager.get();
        if (m == null) {
            throw new MdmException((where.isEmpty() ? "" : where + ": ") + "feature '" + feature
                    + "' needs the feature manager (bundle mdm.features), which is not running");
        }
        return m;
    }
}
