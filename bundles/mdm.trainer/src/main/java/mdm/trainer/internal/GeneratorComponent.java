package mdm.trainer.internal;

import mdm.api.DjlRuntime;
import mdm.api.generate.GenerationRequest;
import mdm.api.generate.GenerationResult;
import mdm.api.generate.Generator;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** The generator service: images from checkpoints. */
@Component(service = Generator.class)
public class GeneratorComponent implements Generator {
    private final GenerationService service;

    @Activate
    public GeneratorComponent(@Reference DjlRuntime runtime, BundleContext context) {
        this.service = new GenerationService(new OsgiComponentRegistry(context), runtime);
    }

    @Override
    public GenerationResult generate(GenerationRequest request) {
        return service.generate(request);
    }
}
