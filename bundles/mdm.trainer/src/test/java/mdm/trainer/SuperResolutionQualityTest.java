package mdm.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import org.junit.jupiter.api.io.TempDir;
import mdm.core.fixtures.EngineExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The check: after a short training of the cascade's super-resolution stage through the
 * trainer, its 16² versions of held-out 8² shapes are closer to the originals than bilinear
 * up-sampling (PSNR printed; the README has the figures).
 *
 * <p>What is asserted is the stage's PSNR-optimal output: its estimate of the clean image from pure
 * noise in one step, E[x | y], averaged over 8 draws of that noise, with the conditioning image clean
 * (augmentation level 0); the stage is residual and trained with the x0-loss (tiny-cascade-sr.yaml). A
 * stochastic sample (25 DDIM steps) is printed beside it at levels 0 and 0.2 (Imagen's sampling
 * level, the cascade's default): a faithful sample of p(x | y) has about twice the mean's squared
 * error where y leaves x uncertain, so it may lose a little PSNR while looking sharper.
 *
 * <pre>
 * mvn -pl bundles/mdm.trainer test -Dtest=SuperResolutionQualityTest [-Dmdm.sr.steps=400]
 * </pre>
 */
class SuperResolutionQualityTest {
    static final int HELD_OUT = 128;
    static final long STEPS = Long.getLong("mdm.sr.steps", 400);
    /** Draws of x_T the mean estimate averages over. */
    static final int DRAWS = 8;
    /** The margin in dB by which the mean estimate must beat bilinear up-sampling. */
    static final double MARGIN_DB = 0.5;
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
        ShapesDataset data = new ShapesDataset();
        // held out: another seed than the training stream's
        JsonNode testSplit = Json.parse("{image_size: 16, textures: [plain], two_shape_fraction: 0, class_label: colour}");
        try (NDManager m = runtime.newManager();
             CascadedBackbone clean = cascade(record, checkpoint, 0.0, "ema.safetensors", m);
             CascadedBackbone augmented = cascade(record, checkpoint, 0.2, "ema.safetensors", m);
             SampleStream stream = data.open(Json.options(testSplit), 12345, StreamPosition.START)) {
            List<Sample> held = new ArrayList<>();
            for (int i = 0; i < HELD_OUT; i++) {
                held.add(stream.next());
            }
            NDArray truth = Batches.pixels(held, m);
            NDArray low = AreaDownsample.apply(truth, 2);
            Conditioner conditioner = new ClassConditionerFactory(runtime)
                    .create(mdm.api.Options.empty(), data.describe(Json.options(testSplit)), m, 0);
            Conditioning labels = conditioner.encode(held, null, false, m);
            MultiResolutionProcess process = new MultiResolutionProcess(
                    DiffusionSettings.parse(Json.options(record.path("diffusion_section"))), new DeepFloydSchedule(), List.of(1));

            CascadeStage sr = clean.chain().get(1);
            NDArray bilinear = sr.conditioningImage(low, new HostRandom(3)); // augmentation level 0: plain bilinear
            Conditioning cond = sr.condition(labels, bilinear);
            double psnrBilinear = psnr(bilinear, truth);
            double psnrOneDraw = psnr(sr.image(sample(sr, process, cond, 1, m), low).clip(-1f, 1f), truth);
            double psnrMean = psnr(sr.image(meanEstimate(sr, process, cond, m), low).clip(-1f, 1f), truth);
            double psnrSample = psnr(sr.image(sample(sr, process, cond, 25, m), low).clip(-1f, 1f), truth);

            CascadeStage srAugmented = augmented.chain().get(1);
            HostRandom noise = new HostRandom(5);
            Conditioning condAugmented = srAugmented.condition(labels, srAugmented.conditioningImage(low, noise));
            double psnrMeanAugmented = psnr(srAugmented.image(meanEstimate(srAugmented, process, condAugmented, m), low)
                    .clip(-1f, 1f), truth);
            double psnrSampleAugmented = psnr(srAugmented.image(sample(srAugmented, process, condAugmented, 25, m), low)
                    .clip(-1f, 1f), truth);
            System.out.printf("super-resolution 8² → 16² on %d held-out shapes after %d steps of 16: PSNR bilinear %.2f dB;"
                    + " SR stage, conditioning image clean (level 0): mean estimate E[x | y] (one step from pure noise,"
                    + " averaged over %d draws) %.2f dB (one draw %.2f dB), sample (25 DDIM steps) %.2f dB; at level 0.2:"
                    + " mean %.2f dB, sample %.2f dB%n", HELD_OUT, STEPS, psnrBilinear, DRAWS, psnrMean, psnrOneDraw,
                    psnrSample, psnrMeanAugmented, psnrSampleAugmented);
            assertTrue(Double.isFinite(psnrSample) && Double.isFinite(psnrSampleAugmented)
                    && Double.isFinite(psnrMeanAugmented) && Double.isFinite(psnrOneDraw), "finite figures");
            assertTrue(psnrMean > psnrBilinear + MARGIN_DB, String.format(
                    "the SR stage's mean estimate (%.2f dB) must beat bilinear up-sampling (%.2f dB) by %.1f dB",
                    psnrMean, psnrBilinear, MARGIN_DB));
        }
    }

    /** The trained cascade of the checkpoint, sampling its super-resolution stage at augmentation level {@code level}. */
    private static CascadedBackbone cascade(JsonNode record, Path checkpoint, double level, String weights, NDManager m) {
        ObjectNode model = ((ObjectNode) record.get("model")).deepCopy();
        ((ObjectNode) model.withArray("super_resolution").get(0)).put("noise_aug_sample", level);
        CascadeComponent factory = new CascadeComponent();
        CascadedBackbone cascade = (CascadedBackbone) factory.create(factory.parseConfig(Json.options(model)), m, 0);
        StateDicts.loadStrict(Safetensors.read(checkpoint.resolve(weights), m), cascade.parameters());
        return cascade;
    }

    /**
     * The posterior mean E[x | y] = E over x_T of the one-step estimate: at γ_N the network's estimate
     * should not depend on x_T, but a briefly trained one lets some of that pure noise through, and
     * averaging over draws of x_T removes it (a Monte Carlo estimate of the same expectation).
     */
    private static NDArray meanEstimate(CascadeStage sr, MultiResolutionProcess process, Conditioning cond, NDManager m) {
        NDArray sum = null;
        for (int k = 0; k < DRAWS; k++) {
            NDArray one = sampleSeed(sr, process, cond, 1, m, 100 + k);
            sum = sum == null ? one : sum.add(one);
        }
        return sum.div((float) DRAWS);
    }

    /**
     * DDIM from pure noise (the trailing grid: the first step starts at γ_N, where x_t carries no
     * signal); one step returns the network's estimate of the clean data, E[x | y].
     */
    private static NDArray sample(CascadeStage sr, MultiResolutionProcess process, Conditioning cond, int steps,
                                  NDManager m) {
        return sampleSeed(sr, process, cond, steps, m, 11);
    }

    private static NDArray sampleSeed(CascadeStage sr, MultiResolutionProcess process, Conditioning cond, int steps,
                                  NDManager m, long seed) {
        HostRandom noise = new HostRandom(seed);
        long n = cond.batchSize();
        List<NDArray> initial = process.initialNoise(n, 3, sr.side(), noise, m);
        return new DdimSampler().sample(new SamplingRequest(process.denoiser(sr.network()), process.levels(),
                process.settings().prediction(), process.settings().thresholding(), initial, cond, null, 1.0, steps,
                Json.options(Json.parse("{timestep_spacing: trailing}")), noise, null)).get(0);
    }

    /** PSNR in dB of images in [−1, 1], measured on the [0, 1] scale. */
    static double psnr(NDArray x, NDArray truth) {
        double mse = mdm.core.tensor.Scalars.div(x.sub(truth), 2.0).square().mean().getFloat();
        return 10 * Math.log10(1 / mse);
    }
}
