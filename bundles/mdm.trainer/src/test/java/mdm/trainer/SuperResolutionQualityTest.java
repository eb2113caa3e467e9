package mdm.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mdm.api.conditioning.Conditioner;
import mdm.api.data.Sample;
import mdm.api.data.SampleStream;
import mdm.api.data.StreamPosition;
import mdm.api.diffusion.SamplingRequest;
import mdm.api.model.CascadeStage;
import mdm.api.model.CascadedBackbone;
import mdm.api.model.Conditioning;
import mdm.api.train.Job;
import mdm.api.train.JobState;
import mdm.api.train.TrainRequest;
import mdm.baseline.cascade.internal.CascadeComponent;
import mdm.conditioner.label.internal.ClassConditionerFactory;
import mdm.core.config.Json;
import mdm.core.data.Batches;
import mdm.core.io.Safetensors;
import mdm.core.io.StateDicts;
import mdm.core.random.HostRandom;
import mdm.core.runtime.EngineRuntime;
import mdm.core.runtime.GradMode;
import mdm.core.tensor.AreaDownsample;
import mdm.data.shapes.ShapesDataset;
import mdm.diffusion.DiffusionSettings;
import mdm.diffusion.MultiResolutionProcess;
import mdm.samplers.DdimSampler;
import mdm.schedules.DeepFloydSchedule;
import mdm.trainer.internal.TrainingService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import mdm.core.fixtures.EngineExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A benchmark, not part of the default test run (it trains for minutes): after a short training of
 * the cascade's super-resolution stage through the trainer, how close are its 16² versions of held-out
 * 8² shapes to the originals, against bilinear up-sampling (PSNR printed; the README has the figures)?
 *
 * <pre>
 * mvn -pl bundles/mdm.trainer test -Dtest=SuperResolutionQualityTest -Dmdm.benchmarks=true [-Dmdm.sr.steps=400]
 * </pre>
 */
@EnabledIfSystemProperty(named = "mdm.benchmarks", matches = "true")
class SuperResolutionQualityTest {
    static final int HELD_OUT = 128;
    static final long STEPS = Long.getLong("mdm.sr.steps", 400);
    static EngineRuntime runtime;

    @RegisterExtension
    static final EngineExtension ENGINE = new EngineExtension(r -> runtime = r);

    @Test
    void superResolutionBeatsBilinearOnHeldOutImages(@TempDir Path work) throws Exception {
        Path spec = Path.of(getClass().getResource("/tiny-cascade-sr.yaml").toURI());
        Path out;
        try (TrainingService trainer = new TrainingService(TestComponents.registry(runtime), runtime, work)) {
            Job job = trainer.start(new TrainRequest(spec, 1 + STEPS, null, false));
            assertTrue(job.await(60, TimeUnit.MINUTES));
            assertEquals(JobState.COMPLETED, job.state(), job.reason().orElse(""));
            out = job.output();
        }
        Path checkpoint = out.resolve(String.format("checkpoints/step-%08d", 1 + STEPS));
        JsonNode record = Json.read(checkpoint.resolve("experiment.json"));
        GradMode.disable();
        CascadeComponent factory = new CascadeComponent();
        ShapesDataset data = new ShapesDataset();
        // held out: another seed than the training stream's
        JsonNode testSplit = Json.parse("{image_size: 16, textures: [plain], two_shape_fraction: 0, class_label: colour}");
        try (NDManager m = runtime.newManager();
             CascadedBackbone cascade = (CascadedBackbone) factory.create(factory.parseConfig(Json.options(record.get("model"))), m, 0);
             SampleStream stream = data.open(Json.options(testSplit), 12345, StreamPosition.START)) {
            StateDicts.loadStrict(Safetensors.read(checkpoint.resolve("model.safetensors"), m), cascade.parameters());
            List<Sample> held = new ArrayList<>();
            for (int i = 0; i < HELD_OUT; i++) {
                held.add(stream.next());
            }
            NDArray truth = Batches.pixels(held, m);
            NDArray low = AreaDownsample.apply(truth, 2);
            CascadeStage sr = cascade.chain().get(1);
            HostRandom noise = new HostRandom(3);
            NDArray bilinear = sr.conditioningImage(low, noise); // augmentation level 0 at sampling: plain bilinear
            Conditioner conditioner = new ClassConditionerFactory(runtime)
                    .create(mdm.api.Options.empty(), data.describe(Json.options(testSplit)), m, 0);
            Conditioning cond = sr.condition(conditioner.encode(held, null, false, m), bilinear);
            MultiResolutionProcess process = new MultiResolutionProcess(
                    DiffusionSettings.parse(Json.options(record.path("diffusion_section"))), new DeepFloydSchedule(), List.of(1));
            double psnrBilinear = psnr(bilinear, truth);
            double psnrOneStep = psnr(sample(sr, process, cond, 1, m), truth);
            double psnrDdim = psnr(sample(sr, process, cond, 25, m), truth);
            System.out.printf("super-resolution 8² → 16² on %d held-out shapes after %d steps of 8: PSNR bilinear "
                    + "%.2f dB, SR stage one step (its mean estimate) %.2f dB, SR stage 25 DDIM steps (a sample) %.2f dB%n",
                    HELD_OUT, STEPS, psnrBilinear, psnrOneStep, psnrDdim);
            System.out.println(psnrDdim > psnrBilinear || psnrOneStep > psnrBilinear
                    ? "the SR stage beats bilinear up-sampling" : "the SR stage does not beat bilinear up-sampling yet");
            assertTrue(Double.isFinite(psnrDdim) && Double.isFinite(psnrOneStep), "finite figures");
        }
    }

    private static NDArray sample(CascadeStage sr, MultiResolutionProcess process, Conditioning cond, int steps,
                                  NDManager m) {
        HostRandom noise = new HostRandom(11);
        long n = cond.batchSize();
        List<NDArray> initial = process.initialNoise(n, 3, sr.side(), noise, m);
        return new DdimSampler().sample(new SamplingRequest(process.denoiser(sr.network()), process.levels(),
                process.settings().prediction(), process.settings().thresholding(), initial, cond, null, 1.0, steps,
                mdm.api.Options.empty(), noise, null)).get(0).clip(-1f, 1f);
    }

    /** PSNR in dB of images in [−1, 1], measured on the [0, 1] scale. */
    static double psnr(NDArray x, NDArray truth) {
        double mse = mdm.core.tensor.Scalars.div(x.sub(truth), 2.0).square().mean().getFloat();
        return 10 * Math.log10(1 / mse);
    }
}
