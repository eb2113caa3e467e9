package mdm.samplers;

import mdm.diffusion.Fixture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import mdm.api.diffusion.Denoiser;
import mdm.api.diffusion.LevelSchedule;
import mdm.api.diffusion.NoiseSchedule;
import mdm.api.diffusion.Sampler;
import mdm.api.diffusion.SamplingListener;
import mdm.api.diffusion.SamplingRequest;
import mdm.api.model.Conditioning;
import mdm.core.config.Json;
import mdm.diffusion.DiffusionSettings;
import mdm.diffusion.LevelSchedules;
import mdm.schedules.CosineSchedule;
import mdm.schedules.DeepFloydSchedule;
import mdm.schedules.LinearSchedule;

/**
 * One case of sampler_reference.json: its settings, sampler and conditioning, run with the recorded
 * noise, compared step by step (first run) and at the end (full run).
 */
final class ReferenceCase {
    final String name;
    final JsonNode json;
    final Map<String, NDArray> npz;
    final DiffusionSettings settings;
    final List<Integer> scales;
    final List<LevelSchedule> levels;
    final double guidance;
    final int steps;
    final long batch;

    ReferenceCase(String name, JsonNode cases, Map<String, NDArray> npz) {
        this.name = name;
        this.json = cases.get(name);
        this.npz = npz;
        ObjectNode config = Json.empty();
        config.set("sampler_config", Fixture.withoutClassMarkers(json.get("sampler_config")));
        config.put("no_use_residual", true);
        this.settings = DiffusionSettings.parse(Json.options(config));
        this.scales = json.get("sampler").asText().equals("NestedSampler") ? List.of(2, 1) : List.of(1);
        this.levels = LevelSchedules.build(settings, schedule(settings.schedule()), scales);
        JsonNode kwargs = json.get("sample_kwargs");
        this.guidance = kwargs.path("guidance_scale").asDouble(1.0);
        this.steps = kwargs.path("resample_steps").asBoolean(false) ? kwargs.get("num_inference_steps").asInt()
                : settings.numDiffusionSteps();
        this.batch = json.get("x_T").get(0).asLong();
    }

    static NoiseSchedule schedule(String name) {
        return switch (name) {
            case "cosine" -> new CosineSchedule();
            case "ddpm" -> new LinearSchedule();
            case "deepfloyd" -> new DeepFloydSchedule();
            default -> throw new IllegalArgumentException(name);
        };
    }

    /** ddim_eta None → ancestral; otherwise DDIM with that η. */
    Sampler sampler() {
        JsonNode eta = json.get("sample_kwargs").get("ddim_eta");
        return eta == null || eta.isNull() ? new AncestralSampler() : new DdimSampler();
    }

    JsonNode options() {
        JsonNode eta = json.get("sample_kwargs").get("ddim_eta");
        return eta == null || eta.isNull() ? Json.empty() : Json.parse("{eta: " + eta.asDouble() + "}");
    }

    /** The recorded draws of one run ("" = first run, "full." = full run), in call order. */
    List<NDArray> draws(String run) {
        String prefix = name + "." + run + "draw";
        return npz.keySet().stream().filter(k -> k.startsWith(prefix)).sorted().map(npz::get).toList();
    }

    boolean hasFullRun() {
        return npz.containsKey(name + ".final_output");
    }

    /** x_T per level: the shared top-level input, then (nested) the first recorded draw (its normal_). */
    List<NDArray> initial(List<NDArray> draws, String topKey, NDManager m) {
        List<NDArray> x = new ArrayList<>();
        x.add(npz.get(topKey).duplicate());
        if (scales.size() > 1) {
            x.add(draws.get(0).duplicate());
        }
        x.forEach(a -> a.attach(m));
        return x;
    }

    Conditioning conditional(NDManager m) {
        if (guidance == 1.0) {
            return new Conditioning(npz.get("lm_outputs"), npz.get("lm_mask"), Map.of());
        }
        return new Conditioning(npz.get("lm_outputs_cfg").get(batch + ":"), npz.get("lm_mask_cfg").get(batch + ":"), Map.of());
    }

    Conditioning unconditional(NDManager m) {
        if (guidance == 1.0) {
            return null;
        }
        return new Conditioning(npz.get("lm_outputs_cfg").get("0:" + batch), npz.get("lm_mask_cfg").get("0:" + batch), Map.of());
    }

    SamplingRequest request(Denoiser model, List<NDArray> initial, RecordedNoise noise, SamplingListener listener,
            NDManager m) {
        return new SamplingRequest(model, levels, settings.prediction(), settings.thresholding(), initial,
                conditional(m), unconditional(m), guidance, steps, Json.options(options()), noise, listener);
    }

    /** |a − b| ≤ tol·max(1, |b|) element-wise; returns the largest absolute difference. */
    static double assertClose(float[] expected, float[] actual, double tol, String what) {
        assertEquals(expected.length, actual.length, what);
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            double d = Math.abs(expected[i] - actual[i]);
            worst = Math.max(worst, d);
            assertTrue(d <= tol * Math.max(1, Math.abs(expected[i])),
                    what + "[" + i + "]: expected " + expected[i] + " got " + actual[i]);
        }
        return worst;
    }
}
