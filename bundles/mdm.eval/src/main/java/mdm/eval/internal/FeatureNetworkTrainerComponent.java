package mdm.eval.internal;

import java.nio.file.Path;
import java.util.function.Consumer;
import mdm.api.DjlRuntime;
import mdm.api.MdmException;
import mdm.api.eval.FeatureNetworkInfo;
import mdm.api.eval.FeatureNetworkTrainer;
import mdm.core.config.Json;
import mdm.eval.featurenet.CnnFeatureNetwork;
import mdm.eval.featurenet.FeatureNetSpec;
import mdm.eval.featurenet.FeatureNetTrainer;
import ai.djl.ndarray.NDManager;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** Trains feature networks from specs into {@code <work>/featurenets/<name>} and registers them. */
@Component(service = FeatureNetworkTrainer.class)
public final class FeatureNetworkTrainerComponent implements FeatureNetworkTrainer {
    private final DjlRuntime runtime;
    private final FeatureNetworkCatalog catalog;
    private final OsgiEvalRegistry registry;

    @Activate
    public FeatureNetworkTrainerComponent(@Reference DjlRuntime runtime, @Reference FeatureNetworkCatalog catalog,
                                          BundleContext context) {
        this.runtime = runtime;
        this.catalog = catalog;
        this.registry = new OsgiEvalRegistry(context);
    }

    @Override
    public synchronized FeatureNetworkInfo train(Path spec, Path output, Consumer<String> log) {
        FeatureNetSpec s = FeatureNetSpec.read(spec);
        Path out = output != null ? output : runtime.workDirectory().resolve(FeatureNetworkCatalog.FOLDER).resolve(s.name());
        try (NDManager m = runtime.newManager()) {
            Path written = new FeatureNetTrainer(m, log).train(s, Json.read(spec), registry.dataset(s.datasetName()), out);
            catalog.add(written);
            try (NDManager check = runtime.newManager(); CnnFeatureNetwork n = CnnFeatureNetwork.load(written, check.newSubManager())) {
                return n.info();
            }
        } catch (MdmException e) {
            throw e;
        }
    }
}
