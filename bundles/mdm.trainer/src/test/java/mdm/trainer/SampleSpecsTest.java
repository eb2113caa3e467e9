package mdm.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import mdm.api.MdmException;
import mdm.api.train.ExperimentSpec;
import mdm.core.runtime.EngineRuntime;
import mdm.nn.unet.UNetModels;
import mdm.trainer.internal.TrainingService;
import mdm.trainer.internal.spec.SpecReader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Every spec in samples/ is valid as written; the ml-mdm ones describe the released models exactly. */
class SampleSpecsTest {
    static final Path SAMPLES = Path.of(System.getProperty("mdm.testdata", "../../testdata")).resolveSibling("samples");
    static EngineRuntime runtime;

    @BeforeAll
    static void start() {
        runtime = EngineRuntime.standalone();
    }

    @AfterAll
    static void stop() {
        runtime.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"shapes-class", "shapes-text", "shapes-text-full", "shapes-video", "fashion-mnist", "shapes-cascade",
            "fashion-mnist-cascade", "shapes-latent", "fashion-mnist-latent"})
    void validatesAgainstTheRealComponents(String name, @TempDir Path work) {
        if (name.startsWith("fashion-mnist")) {
            assumeTrue(Files.isDirectory(Path.of("/usr/share/datasets/fashion-mnist")),
                    "Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)");
        }
        try (TrainingService trainer = new TrainingService(TestComponents.registry(runtime), runtime, work)) {
            ExperimentSpec spec = trainer.validate(SAMPLES.resolve(name + ".yaml"));
            assertEquals(name, spec.name());
            assertTrue(spec.stages().size() >= 2, "progressive stages");
        }
    }

    /**
     * The autoencoder trained alone is one stage; the latent spec that references its run names the
     * run it needs while that has not been trained.
     */
    @Test
    void theAutoencoderSpecValidatesAndTheLatentSpecThatUsesItNamesItsRun(@TempDir Path work) {
        try (TrainingService trainer = new TrainingService(TestComponents.registry(runtime), runtime, work)) {
            ExperimentSpec spec = trainer.validate(SAMPLES.resolve("shapes-autoencoder.yaml"));
            assertEquals(1, spec.stages().size());
            MdmException e = assertThrows(MdmException.class,
                    () -> trainer.validate(SAMPLES.resolve("shapes-latent-pretrained.yaml")));
            assertTrue(e.getMessage().contains("latent.autoencoder_checkpoint: runs/shapes-autoencoder does not exist"),
                    e.getMessage());
        }
    }

    /** The imported ml-mdm configs build the released architectures: parameter counts of fact sheet §6.3. */
    @ParameterizedTest
    @CsvSource({"ml-mdm-64, unet, 461359107", "ml-mdm-256, nested_unet, 476613958",
            "ml-mdm-1024, nested2_unet, 480970057"})
    void mlMdmSpecsDescribeTheReleasedModels(String name, String backbone, long parameters) {
        ExperimentSpec spec = SpecReader.read(SAMPLES.resolve(name + ".yaml"));
        assertEquals(backbone, spec.backbone().name());
        var model = spec.model().with("conditioning_feature_dim", 2048); // flan-t5-xl's width, as ml-mdm's CLI sets it
        UNetModels factory = new UNetModels(backbone);
        Map<String, Shape> shapes = factory.parameterShapes(factory.parseConfig(model));
        assertEquals(parameters, shapes.values().stream().mapToLong(Shape::size).sum());
    }
}
