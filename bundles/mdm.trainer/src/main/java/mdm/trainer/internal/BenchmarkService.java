package mdm.trainer.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import mdm.api.Components;
import mdm.api.DjlRuntime;
import mdm.api.diffusion.NoiseSchedule;
import mdm.api.diffusion.Sampler;
import mdm.api.diffusion.SamplingRequest;
import mdm.api.model.Backbone;
import mdm.api.model.BackboneConfig;
import mdm.api.model.BackboneFactory;
import mdm.api.model.Conditioning;
import mdm.core.optim.AdamW;
import mdm.core.optim.Gradients;
import mdm.core.random.HostRandom;
import mdm.core.runtime.GradMode;
import mdm.diffusion.DiffusionSettings;
import mdm.diffusion.MultiResolutionProcess;
import mdm.diffusion.TrainingDraws;
import mdm.trainer.internal.spec.MlMdmYaml;
import mdm.core.config.Json;
import mdm.api.Options;

/**
 * Times what training and sampling cost for a model config: forward alone, a whole training step
 * (noising, forward, loss, backward, clipping, AdamW) and sampling, at several batch sizes, with
 * random inputs of the model's shapes.
 */
public final class BenchmarkService {
    /** One measured configuration. */
    public record Row(String model, int batch, double forwardMs, double stepMs, double imagesPerSecond,
                      double sampleMsPerImage, int samplingSteps) {
    }

    private final ComponentRegistry registry;
    private final DjlRuntime runtime;

    public BenchmarkService(ComponentRegistry registry, DjlRuntime runtime) {
        this.registry = registry;
        this.runtime = runtime;
    }

    /** @param repeats timed repetitions after two warm-up ones; the median is reported */
    public List<Row> run(Path modelYaml, int[] batches, int repeats, int samplingSteps) {
        GradMode.disable();
        MlMdmYaml yaml = MlMdmYaml.read(modelYaml);
        String name = yaml.modelName() != null ? yaml.modelName()
                : yaml.unetConfig().has(ModelSections.INNER) ? "nested_unet" : "unet";
        String label = modelYaml.getFileName().toString().replaceAll("\\.ya?ml$", "");
        int size = mdm.core.config.Json.read(modelYaml).path("reader_config").path("image_size").asInt(32);
        var factory = registry.acquire(BackboneFactory.class, Components.BACKBONE, name);
        var schedule = registry.acquire(NoiseSchedule.class, Components.SCHEDULE, "deepfloyd");
        var sampler = registry.acquire(Sampler.class, Components.SAMPLER, "ddim");
        List<Row> rows = new ArrayList<>();
        try (NDManager model = runtime.newManager()) {
            BackboneConfig config = factory.service().parseConfig(Json.options(yaml.unetConfig()));
            Backbone backbone = factory.service().create(config, model, 1);
            DiffusionSettings settings = DiffusionSettings.parse(Json.options(yaml.diffusion()));
            MultiResolutionProcess process = new MultiResolutionProcess(settings, schedule.service(),
                    config.levelScales());
            Map<String, NDArray> params = backbone.parameters();
            params.forEach((k, p) -> p.setRequiresGradient(true));
            AdamW adam = new AdamW(AdamW.Settings.defaults(), model);
            HostRandom random = new HostRandom(7);
            int dim = Math.max(1, config.conditioningFeatureDim());
            for (int batch : batches) {
                double[] forward = new double[repeats];
                double[] step = new double[repeats];
                for (int r = -2; r < repeats; r++) {
                    try (NDManager m = runtime.newManager()) {
                        NDArray images = random.normal(new Shape(batch, 3, size, size), m).clip(-1f, 1f);
                        Conditioning cond = conditioning(batch, dim, random, m);
                        long t0 = System.nanoTime();
                        List<NDArray> out = backbone.forward(process.noise(images, TrainingDraws.from(random)).modelInputs(),
                                m.zeros(new Shape(batch), ai.djl.ndarray.types.DataType.INT64), cond, false);
                        out.get(0).sum().getFloat();
                        long t1 = System.nanoTime();
                        try (GradientCollector gc = m.getEngine().newGradientCollector()) {
                            gc.backward(process.compute(images, cond, backbone, TrainingDraws.from(random)).total());
                        }
                        Map<String, NDArray> grads = Gradients.of(params);
                        Gradients.clipGlobalNorm(grads, 2.0, m);
                        adam.step(params, grads, 1e-4, m);
                        Gradients.zero(grads, m);
                        Gradients.close(grads);
                        long t2 = System.nanoTime();
                        if (r >= 0) {
                            forward[r] = (t1 - t0) / 1e6;
                            step[r] = (t2 - t1) / 1e6;
                        }
                    }
                }
                double sampleMs;
                try (NDManager m = runtime.newManager()) {
                    Conditioning cond = conditioning(batch, dim, random, m);
                    List<NDArray> initial = process.initialNoise(batch, 3, size, random, m);
                    long t0 = System.nanoTime();
                    List<NDArray> x = sampler.service().sample(new SamplingRequest(process.denoiser(backbone),
                            process.levels(), settings.prediction(), settings.thresholding(), initial, cond, null, 1.0,
                            samplingSteps, Options.empty(), random, null));
                    x.get(0).sum().getFloat();
                    sampleMs = (System.nanoTime() - t0) / 1e6 / batch;
                }
                double stepMs = median(step);
                rows.add(new Row(label, batch, median(forward), stepMs, batch * 1000.0 / stepMs, sampleMs,
                        samplingSteps));
            }
        } finally {
            factory.release();
            schedule.release();
            sampler.release();
        }
        return rows;
    }

    private static Conditioning conditioning(int batch, int dim, HostRandom random, NDManager m) {
        NDArray tokens = random.normal(new Shape(batch, 7, dim), m);
        NDArray mask = m.ones(new Shape(batch, 7));
        return new Conditioning(tokens, mask, Map.of());
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        java.util.Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /** A plain-text table of rows. */
    public static String format(List<Row> rows) {
        StringBuilder s = new StringBuilder(String.format("%-10s %6s %12s %14s %10s %18s%n", "model", "batch",
                "forward ms", "train step ms", "images/s", "sample ms/image"));
        for (Row r : rows) {
            s.append(String.format("%-10s %6d %12.1f %14.1f %10.1f %13.1f (%d st)%n", r.model(), r.batch(),
                    r.forwardMs(), r.stepMs(), r.imagesPerSecond(), r.sampleMsPerImage(), r.samplingSteps()));
        }
        return s.toString();
    }
}
