package mdm.sample.embedding;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.List;
import mdm.api.DjlRuntime;
import mdm.api.MdmException;
import mdm.api.generate.GenerationRequest;
import mdm.api.generate.GenerationResult;
import mdm.api.generate.Generator;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * An application of the mdm API: when configured, it asks the generator for images from a
 * checkpoint and reports where they are. Everything it knows of mdm is the API's interfaces.
 */
@Component(configurationPid = GenerateOnStart.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = GenerateOnStart.class, immediate = true)
@Designate(ocd = GenerateOnStart.Config.class)
public class GenerateOnStart {
    public static final String PID = "mdm.sample.embedding";

    @ObjectClassDefinition(name = "mdm embedding sample")
    public @interface Config {
        @AttributeDefinition(description = "checkpoint or run folder; relative paths are under the runtime's work folder")
        String checkpoint();

        @AttributeDefinition(description = "prompts, for text models")
        String[] prompts() default {};

        @AttributeDefinition(description = "labels (numbers or class names), for class-conditional models")
        String[] labels() default {};

        int count() default 8;

        long seed() default 0;

        @AttributeDefinition(description = "output folder; relative paths are under the runtime's work folder")
        String output() default "embedding-sample";
    }

    private final GenerationResult result;

    @Activate
    public GenerateOnStart(Config config, @Reference Generator generator, @Reference DjlRuntime runtime,
                           @Reference(service = LoggerFactory.class) Logger logger) {
        Path work = runtime.workDirectory();
        Path checkpoint = work.resolve(config.checkpoint());
        Path out = work.resolve(config.output())
                .resolve(LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS")));
        try {
            result = generator.generate(new GenerationRequest(checkpoint, Arrays.asList(config.prompts()),
                    Arrays.asList(config.labels()), config.count(), null, null, null, config.seed(), true, out, null));
        } catch (MdmException e) {
            // the message names what is wrong (a missing checkpoint, a label the model lacks): one line, no trace
            logger.error("no images from {}: {}", checkpoint, e.getMessage());
            throw e;
        }
        System.out.println("mdm.sample.embedding: " + result.images().size() + " images from " + checkpoint
                + " in " + result.folder() + " (grid " + result.grids().get(0) + ")");
    }

    /** The grids written at activation, highest resolution first. */
    public List<Path> grids() {
        return result.grids();
    }
}
