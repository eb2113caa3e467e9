package mdm.trainer.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import mdm.api.model.Backbone;
import mdm.api.model.BackboneConfig;
import mdm.api.model.Conditioning;
import mdm.api.train.StageSpec;
import mdm.core.config.Json;
import mdm.core.optim.Gradients;
import mdm.core.random.HostRandom;
import mdm.core.runtime.EngineRuntime;
import mdm.diffusion.DiffusionSettings;
import mdm.diffusion.MultiResolutionProcess;
import mdm.diffusion.TrainingDraws;
import mdm.nn.unet.UNetModels;
import mdm.schedules.DeepFloydSchedule;
import org.junit.jupiter.api.Test;
import mdm.core.fixtures.EngineExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A batch split over two replicas gives the loss and gradients of the whole batch on one device. */
class DataParallelTest {
    static EngineRuntime runtime;

    @RegisterExtension
    static final EngineExtension ENGINE = new EngineExtension(r -> runtime = r);
    static final String MODEL = """
            resolution_channels: [16, 16]
            num_resnets_per_resolution: [1, 1]
            attention_levels: []
            num_attention_layers: [0, 0]
            temporal_dim: 64
            conditioning_feature_dim: 8
            micro_conditioning: "scale:16"
            skip_mid_blocks: true
            skip_cond_emb: true
            resnet_config: {num_groups_norm: 8}
            inner_config:
              resolution_channels: [16, 32]
              num_resnets_per_resolution: [1, 1]
              attention_levels: [1]
              num_attention_layers: [0, 1]
              temporal_dim: 64
              nesting: true
              micro_conditioning: "scale:8"
              resnet_config: {num_groups_norm: 8}
            """;

    @Test
    void twoReplicasMatchOneDevice() {
        UNetModels factory = new UNetModels("nested_unet");
        BackboneConfig config = factory.parseConfig(Json.parseOptions(MODEL));
        DiffusionSettings settings = DiffusionSettings.parse(Json.parseOptions("""
                sampler_config: {num_diffusion_steps: 1000, schedule_type: DEEPFLOYD, prediction_type: V_PREDICTION,
                                 loss_target_type: DDPM, schedule_shifted: true}
                use_double_loss: true
                no_use_residual: true
                use_vdm_loss_weights: false
                """));
        StagePlan plan = new StagePlan(0, new StageSpec("all", 2, 1, 0, null, 6, 0), "nested_unet", factory, config,
                settings, 16, 6, null);
        MultiResolutionProcess process = new MultiResolutionProcess(settings, new DeepFloydSchedule(),
                config.levelScales());
        try (NDManager m = runtime.newManager()) {
            Backbone backbone = factory.create(config, m, 1);
            randomise(backbone, m); // a fresh model outputs zero, which would make every gradient trivially equal
            backbone.parameters().values().forEach(p -> p.setRequiresGradient(true));
            HostRandom data = new HostRandom(9);
            NDArray images = m.create(data.uniform(6 * 3 * 16 * 16, -1, 1), new Shape(6, 3, 16, 16));
            Conditioning cond = new Conditioning(m.create(data.normal(6 * 5 * 8), new Shape(6, 5, 8)),
                    m.ones(new Shape(6, 5)), Map.of());

            DataParallel.Result one;
            Map<String, float[]> single;
            try (DataParallel parallel = new DataParallel(List.of(Device.cpu()), plan, backbone, runtime, 1)) {
                one = step(parallel, process, images, cond, plan, m);
                single = gradients(backbone, parallel, m);
            }
            DataParallel.Result two;
            Map<String, float[]> split;
            try (DataParallel parallel = new DataParallel(List.of(Device.cpu(), Device.cpu()), plan, backbone, runtime, 1)) {
                two = step(parallel, process, images, cond, plan, m);
                split = gradients(backbone, parallel, m);
            }
            assertEquals(one.total(), two.total(), 1e-6 * Math.abs(one.total()));
            for (int l = 0; l < one.levels().length; l++) {
                assertEquals(one.levels()[l], two.levels()[l], 1e-6 * Math.abs(one.levels()[l]));
            }
            double worst = 0;
            for (String k : single.keySet()) {
                worst = Math.max(worst, relative(single.get(k), split.get(k)));
            }
            assertTrue(worst < 1e-4, "worst relative gradient difference " + worst);
        }
    }

    private static DataParallel.Result step(DataParallel parallel, MultiResolutionProcess process, NDArray images,
                                            Conditioning cond, StagePlan plan, NDManager m) {
        try (GradientCollector c = m.getEngine().newGradientCollector()) {
            return parallel.backward(c, process, images, cond, TrainingDraws.from(new HostRandom(5)), 1000,
                    plan.sides(), 1.0, m);
        }
    }

    private static Map<String, float[]> gradients(Backbone backbone, DataParallel parallel, NDManager m) {
        Map<String, NDArray> grads = Gradients.of(backbone.parameters());
        parallel.gather(grads, m);
        Map<String, float[]> out = new LinkedHashMap<>();
        grads.forEach((k, g) -> out.put(k, g.toFloatArray()));
        Gradients.reset(grads, m);
        Gradients.close(grads);
        return out;
    }

    private static void randomise(Backbone backbone, NDManager m) {
        HostRandom r = new HostRandom(3);
        for (NDArray p : backbone.parameters().values()) {
            long fanIn = p.getShape().dimension() > 1 ? p.size() / p.getShape().get(0) : 4;
            float[] v = r.normal(Math.toIntExact(p.size()));
            for (int i = 0; i < v.length; i++) {
                v[i] *= (float) (0.5 / Math.sqrt(fanIn));
            }
            p.set(v);
        }
    }

    private static double relative(float[] a, float[] b) {
        double num = 0;
        double den = 0;
        for (int i = 0; i < a.length; i++) {
            num += (a[i] - b[i]) * (double) (a[i] - b[i]);
            den += a[i] * (double) a[i];
        }
        return den == 0 ? Math.sqrt(num) : Math.sqrt(num / den);
    }
}
