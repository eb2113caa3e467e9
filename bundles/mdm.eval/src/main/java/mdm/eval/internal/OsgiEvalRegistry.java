package mdm.eval.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;
import mdm.api.Components;
import mdm.api.MdmException;
import mdm.api.data.DatasetProvider;
import mdm.api.eval.FeatureMetric;
import mdm.api.eval.FeatureNetwork;
import mdm.core.config.Names;
import mdm.eval.quality.EvalRegistry;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

/** Datasets, feature networks and metrics from the service registry as it is now (highest ranking first). */
final class OsgiEvalRegistry implements EvalRegistry {
    private final BundleContext context;

    OsgiEvalRegistry(BundleContext context) {
        this.context = context;
    }

    @Override
    public DatasetProvider dataset(String name) {
        List<ServiceReference<DatasetProvider>> refs = refs(DatasetProvider.class, Components.DATASET);
        return refs.stream().filter(r -> names(r).contains(name)).findFirst().map(context::getService)
                .orElseThrow(() -> {
                    List<String> known = refs.stream().flatMap(r -> names(r).stream()).toList();
                    return new MdmException("no dataset named '" + name + "' is registered. " + Names.suggestion(name, known));
                });
    }

    @Override
    public List<FeatureNetwork> featureNetworks() {
        List<FeatureNetwork> out = new ArrayList<>();
        for (ServiceReference<FeatureNetwork> r : refs(FeatureNetwork.class, Components.FEATURE_NETWORK)) {
            FeatureNetwork n = context.getService(r);
            if (n != null) {
                out.add(n);
            }
        }
        return out;
    }

    @Override
    public FeatureMetric metric(String name) {
        return refs(FeatureMetric.class, Components.EVALUATOR).stream().filter(r -> names(r).contains(name)).findFirst()
                .map(context::getService).orElse(null);
    }

    @Override
    public List<String> metricNames() {
        TreeSet<String> names = new TreeSet<>();
        refs(FeatureMetric.class, Components.EVALUATOR).forEach(r -> names.addAll(names(r)));
        return new ArrayList<>(names);
    }

    private <T> List<ServiceReference<T>> refs(Class<T> type, String kind) {
        try {
            Collection<ServiceReference<T>> refs = context.getServiceReferences(type, "(" + Components.KIND + "=" + kind + ")");
            List<ServiceReference<T>> sorted = new ArrayList<>(refs);
            sorted.sort(Comparator.reverseOrder()); // ranking, then oldest first
            return sorted;
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> names(ServiceReference<?> r) {
        Object p = r.getProperty(Components.NAME);
        if (p instanceof String s) {
            return List.of(s);
        }
        if (p instanceof String[] a) {
            return Arrays.asList(a);
        }
        return List.of();
    }
}
