package mdm.web.internal;

import java.util.function.Supplier;
import mdm.api.generate.Generator;
import mdm.api.runs.RunCatalog;
import mdm.api.train.Trainer;
import mdm.features.ComponentDirectory;
import mdm.features.FeatureManager;

/**
 * The services the API serves from, as they are registered at the moment of each request; a
 * missing one is a 503 that names the feature that brings it back.
 */
final class Services {
    private final Supplier<Trainer> trainer;
    private final Supplier<Generator> generator;
    private final Supplier<RunCatalog> runs;
    private final Supplier<FeatureManager> features;
    private final Supplier<ComponentDirectory> components;

    Services(Supplier<Trainer> trainer, Supplier<Generator> generator, Supplier<RunCatalog> runs,
             Supplier<FeatureManager> features, Supplier<ComponentDirectory> components) {
        this.trainer = trainer;
        this.generator = generator;
        this.runs = runs;
        this.features = features;
        this.components = components;
    }

    Trainer trainer() {
        return present(trainer.get(), "trainer", "mdm-trainer");
    }

    Generator generator() {
        return present(generator.get(), "generator", "mdm-trainer");
    }

    RunCatalog runs() {
        return present(runs.get(), "run catalog", "mdm-trainer");
    }

    /** The catalog, or null when it is not there (pages then show no runs rather than fail). */
    RunCatalog runsIfAny() {
        return runs.get();
    }

    FeatureManager features() {
        return present(features.get(), "feature manager", "mdm-framework");
    }

    ComponentDirectory components() {
        return present(components.get(), "component directory", "mdm-framework");
    }

    private static <T> T present(T service, String what, String feature) {
        if (service == null) {
            throw new WebError(503, "no " + what + " is available: is the feature " + feature
                    + " installed? (Components & features, or mdm:features in the shell)");
        }
        return service;
    }
}
