package mdm.samplers;

import mdm.diffusion.Fixture;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import mdm.api.diffusion.Denoiser;
import mdm.api.model.Backbone;
import mdm.api.model.BackboneFactory;
import mdm.api.model.Conditioning;
import mdm.core.fixtures.ReferenceWeights;
import mdm.core.io.StateDicts;
import mdm.core.runtime.EngineRuntime;
import mdm.diffusion.MultiResolutionProcess;
import mdm.nn.unet.UNetModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import mdm.core.config.Json;

/**
 * The real-model cases of sampler_reference.npz: the tiny UNet (DDIM η = 0, 10 steps) and the
 * tiny NestedUNet (shifted schedule, ancestral, guidance 2, 10 steps) with the reference's weights,
 * step by step within 1e-4.
 */
class RealModelSamplerTest {
    static final double TOLERANCE = 1e-4;
    static EngineRuntime runtime;
    static NDManager manager;
    static Map<String, NDArray> npz;
    static JsonNode cases;

    @BeforeAll
    static void load() {
        runtime = EngineRuntime.standalone();
        manager = runtime.newManager();
        npz = Fixture.npz(manager, "sampler_reference.npz");
        cases = Fixture.json("sampler_reference.json").get("cases");
    }

    @AfterAll
    static void close() {
        manager.close();
        runtime.close();
    }

    /** The fixture model with the weights the reference ran with, built by the backbone code the runtime registers. */
    static Backbone backbone(String model, NDManager m) {
        JsonNode file = Fixture.json(model + "_config.json");
        JsonNode config = Fixture.withoutClassMarkers(file.get("config_as_given"));
        BackboneFactory factory = new UNetModels(file.get("registry_name").asText());
        Backbone b = factory.create(factory.parseConfig(Json.options(config)), m, 0);
        StateDicts.loadStrict(ReferenceWeights.read(Fixture.file(model + "_weights.json"), m), b.parameters());
        return b;
    }

    @ParameterizedTest
    @ValueSource(strings = {"unet32_deepfloyd_v_ddim0_10", "nested32_shifted_v_ancestral_cfg2_10"})
    void realModelCaseMatchesStepByStep(String name) {
        ReferenceCase c = new ReferenceCase(name, cases, npz);
        String model = name.substring(0, name.indexOf('_'));
        try (NDManager m = manager.newSubManager()) {
            Backbone backbone = backbone(model, m);
            Denoiser denoiser = new MultiResolutionProcess(c.settings, ReferenceCase.schedule(c.settings.schedule()),
                    c.scales).denoiser(backbone);
            int perCall = arraysLeftByOneForward(backbone, c, m);
            int arrays = m.getManagedArrays().size();
            double worst = SamplerFixtureTest.checkSteps(c, denoiser, TOLERANCE, m);
            int calls = c.json.get("steps").size();
            assertEquals(arrays + calls * perCall, m.getManagedArrays().size(),
                    "the sampling loop leaves nothing in the parameters' manager beyond what the backbone itself does");
            System.out.printf("%-45s steps: max |diff| %.2e%n", name, worst);
            if (perCall > 0) {
                System.out.printf("note: one %s forward leaves %d arrays in its parameters' manager%n", model, perCall);
            }
            backbone.close();
        }
    }

    /** Arrays one inference forward of the backbone leaves in the manager that holds its parameters. */
    static int arraysLeftByOneForward(Backbone backbone, ReferenceCase c, NDManager parameters) {
        int before = parameters.getManagedArrays().size();
        try (NDManager call = parameters.newSubManager()) {
            List<NDArray> x = new ArrayList<>();
            long top = c.json.get("x_T").get(3).asLong();
            for (int scale : c.scales) {
                long side = top * scale / c.scales.get(0);
                x.add(call.zeros(new Shape(c.batch, 3, side, side)));
            }
            NDArray tokens = npz.get("lm_outputs").duplicate();
            NDArray mask = npz.get("lm_mask").duplicate();
            tokens.attach(call);
            mask.attach(call);
            backbone.forward(x, call.zeros(new Shape(c.batch), DataType.INT64), new Conditioning(tokens, mask, Map.of()),
                    false);
        }
        return parameters.getManagedArrays().size() - before;
    }
}
