package mdm.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mdm.api.data.Sample;
import mdm.api.data.SampleStream;
import mdm.api.data.StreamPosition;
import mdm.api.eval.Features;
import mdm.api.model.LatentBackbone;
import mdm.api.train.Job;
import mdm.api.train.JobState;
import mdm.api.train.TrainRequest;
import mdm.baseline.latent.internal.LatentComponent;
import mdm.core.config.Json;
import mdm.core.data.Batches;
import mdm.core.io.Safetensors;
import mdm.core.io.StateDicts;
import mdm.core.random.HostRandom;
import mdm.core.runtime.EngineRuntime;
import mdm.core.runtime.GradMode;
import mdm.data.fashionmnist.FashionMnistDataset;
import mdm.eval.featurenet.CnnFeatureNetwork;
import mdm.eval.internal.FdMetric;
import mdm.trainer.internal.TrainingService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import mdm.core.fixtures.EngineExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The latent pipeline's autoencoder, briefly trained by the trainer, reconstructs held-out Fashion-MNIST test images. */
class AutoencoderQualityTest {
    static final int HELD_OUT = 256;
    /** The floor a 150-step training must clear (what it reaches is printed). */
    static final double PSNR_FLOOR = 16.0;
    static EngineRuntime runtime;

    @RegisterExtension
    static final EngineExtension ENGINE = new EngineExtension(r -> runtime = r);

    @Test
    void reconstructsHeldOutImages(@TempDir Path work) throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/usr/share/datasets/fashion-mnist")),
                "Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)");
        Path spec = Path.of(getClass().getResource("/tiny-latent-fmnist.yaml").toURI());
        Path out;
        try (TrainingService trainer = new TrainingService(TestComponents.registry(runtime), runtime, work)) {
            Job job = trainer.start(new TrainRequest(spec, null, null, false));
            assertTrue(job.await(10, TimeUnit.MINUTES));
            assertEquals(JobState.COMPLETED, job.state(), job.reason().orElse(""));
            out = job.output();
        }
        Path checkpoint = out.resolve("checkpoints/step-00000151");
        JsonNode record = Json.read(checkpoint.resolve("experiment.json"));
        GradMode.disable();
        LatentComponent factory = new LatentComponent();
        JsonNode testSplit = Json.parse("{\"split\": \"test\", \"image_size\": 32, \"channels\": 3}");
        try (NDManager m = runtime.newManager();
             LatentBackbone latent = (LatentBackbone) factory.create(factory.parseConfig(Json.options(record.get("model"))), m, 0);
             SampleStream stream = new FashionMnistDataset().open(Json.options(testSplit), 1, StreamPosition.START)) {
            StateDicts.loadStrict(Safetensors.read(checkpoint.resolve("model.safetensors"), m), latent.parameters());
            List<Sample> held = new ArrayList<>();
            for (int i = 0; i < HELD_OUT; i++) {
                held.add(stream.next());
            }
            NDArray truth = Batches.pixels(held, m);
            NDArray reconstruction = latent.decode(latent.encode(truth, new HostRandom(2))).clip(-1f, 1f);
            double psnr = SuperResolutionQualityTest.psnr(reconstruction, truth);
            // FD in the shipped Fashion-MNIST feature network: reconstructions against their originals, and
            // as the floor, other test images against the same originals
            List<Sample> others = new ArrayList<>();
            for (int i = 0; i < HELD_OUT; i++) {
                others.add(stream.next());
            }
            double fd;
            double floor;
            try (NDManager features = runtime.newManager()) {
                CnnFeatureNetwork net;
                ClassLoader cl = getClass().getClassLoader();
                try (InputStream d = cl.getResourceAsStream("featurenets/fashion-mnist/" + CnnFeatureNetwork.DESCRIPTION);
                     InputStream w = cl.getResourceAsStream("featurenets/fashion-mnist/" + CnnFeatureNetwork.WEIGHTS)) {
                    net = CnnFeatureNetwork.load(d, w, features);
                }
                Features real = net.embed(held);
                FdMetric metric = new FdMetric(runtime);
                fd = metric.compare(real, net.embed(asSamples(reconstruction, held)), 1).get("fd");
                floor = metric.compare(real, net.embed(others), 1).get("fd");
            }
            System.out.printf("autoencoder (f = 4, 4 latent channels, L1 + 1e-6 KL) after 150 steps of 8: PSNR %.2f dB "
                    + "on %d Fashion-MNIST test images; FD of the reconstructions against their originals %.3f "
                    + "(N = %d; floor, %d other test images against the same originals: %.3f)%n",
                    psnr, HELD_OUT, fd, HELD_OUT, HELD_OUT, floor);
            String results = System.getProperty("mdm.results");
            if (results != null) { // the first 16 test images over their reconstructions
                List<mdm.core.image.FloatImage> shown = new ArrayList<>(
                        mdm.core.image.TensorImages.images(truth.get("0:16")));
                shown.addAll(mdm.core.image.TensorImages.images(reconstruction.get("0:16")));
                Path file = Path.of(results).resolve("fashion-mnist-latent-autoencoder.png");
                mdm.core.image.ImageCodec.writePng(mdm.core.image.ImageGrid.render(shown, null, 16, 3), file);
                System.out.println("originals over reconstructions: " + file.toAbsolutePath());
            }
            assertTrue(psnr > PSNR_FLOOR, "PSNR " + psnr + " dB is below the floor of " + PSNR_FLOOR);
        }
    }

    /** Images (N, 3, H, W) as samples with the labels of {@code like}. */
    static List<Sample> asSamples(NDArray images, List<Sample> like) {
        float[] all = images.toFloatArray();
        long[] s = images.getShape().getShape();
        int per = (int) (s[1] * s[2] * s[3]);
        List<Sample> out = new ArrayList<>();
        for (int i = 0; i < like.size(); i++) {
            float[] px = new float[per];
            System.arraycopy(all, i * per, px, 0, per);
            out.add(new Sample(px, 1, (int) s[1], (int) s[2], (int) s[3], like.get(i).label(), null, "reconstruction-" + i));
        }
        return out;
    }
}
