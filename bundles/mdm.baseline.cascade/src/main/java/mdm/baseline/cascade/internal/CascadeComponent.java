package mdm.baseline.cascade.internal;

import mdm.api.Options;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import mdm.api.Components;
import mdm.api.MdmException;
import mdm.api.model.Backbone;
import mdm.api.model.BackboneConfig;
import mdm.api.model.BackboneFactory;
import mdm.core.config.Json;
import mdm.nn.unet.UNetBackboneConfig;
import mdm.nn.unet.UNetModels;
import org.osgi.service.component.annotations.Component;

/**
 * Cascaded diffusion ({@code cascade}): a base UNet and super-resolution UNets, each the existing
 * ml-mdm UNet with three more input channels (the conditioning image) and one more embedding (its
 * augmentation level, as {@code noise_aug} micro-conditioning). Parameter keys nest like ml-mdm's
 * inner networks: stage k holds stage k−1 under {@code lower.} and its own network under {@code sr.}.
 */
@Component(service = BackboneFactory.class,
        property = {Components.NAME + "=" + CascadeConfig.NAME, Components.KIND + "=" + Components.BACKBONE})
public class CascadeComponent implements BackboneFactory {
    /** Training draws the augmentation level from [0, a_max]: Imagen's super-resolution stages use the whole range. */
    static final double DEFAULT_AUG_MAX = 1.0;
    /** Sampling fixes the level: Imagen samples its super-resolution stages with a small fixed level (0.1–0.3). */
    static final double DEFAULT_AUG_SAMPLE = 0.2;

    private final UNetModels unet = new UNetModels("unet");

    @Override
    public CascadeConfig parseConfig(Options nodeOptions) {
        JsonNode node = Json.tree(nodeOptions);
        CascadeSection c = Json.bind(node, CascadeSection.class, "cascade");
        if (c.base() == null) {
            throw new MdmException("the cascade has no base model: give the base UNet as the spec's 'model' section");
        }
        if (c.baseResolution() == null || c.baseResolution() < 4) {
            throw new MdmException("cascade.base_resolution is missing or too small: give the side of the base model's"
                    + " images, e.g. base_resolution: 16");
        }
        if (c.superResolution() == null || c.superResolution().isEmpty()) {
            throw new MdmException("cascade.super_resolution is empty: add at least one stage, e.g. "
                    + "super_resolution: [{resolution: 32, model: {...}}]");
        }
        UNetBackboneConfig base = parseUNet(c.base(), "model (the cascade's base)");
        fits(base, c.baseResolution(), "model (the base at " + c.baseResolution() + "²)");
        List<CascadeConfig.SuperResolution> stages = new ArrayList<>();
        int below = c.baseResolution();
        for (int i = 0; i < c.superResolution().size(); i++) {
            var f = c.superResolution().get(i);
            String where = "cascade.super_resolution[" + i + "]";
            if (f.resolution() == null) {
                throw new MdmException(where + ".resolution is missing: give the side of the stage's output, e.g. " + below * 2);
            }
            int side = f.resolution();
            if (f.inputResolution() != null && f.inputResolution() != below) {
                throw new MdmException(where + ".input_resolution is " + f.inputResolution() + " but the stage below "
                        + "generates " + below + "² images: set it to " + below + " or remove it");
            }
            if (side <= below || side % below != 0) {
                throw new MdmException(where + ".resolution " + side + " must be a multiple of, and larger than, the "
                        + "stage below's " + below + ": e.g. " + below * 2);
            }
            double max = f.noiseAugMax() != null ? f.noiseAugMax() : DEFAULT_AUG_MAX;
            double sample = f.noiseAugSample() != null ? f.noiseAugSample() : DEFAULT_AUG_SAMPLE;
            if (!(max >= 0 && max <= 1)) {
                throw new MdmException(where + ".noise_aug_max is " + max + ": the level lies in [0, 1] (0 = clean, 1 = pure noise)");
            }
            if (!(sample >= 0 && sample <= 1)) {
                throw new MdmException(where + ".noise_aug_sample is " + sample + ": the level lies in [0, 1] (0 = clean, 1 = pure noise)");
            }
            double guidance = f.guidance() != null ? f.guidance() : Double.NaN;
            if (f.guidance() != null && !(guidance >= 0)) {
                throw new MdmException(where + ".guidance must be at least 0 (1 = no guidance), got " + guidance);
            }
            if (f.model() == null || !f.model().isObject()) {
                throw new MdmException(where + ".model is missing: give the stage's UNet in ml-mdm unet_config names");
            }
            UNetBackboneConfig model = parseUNet(withAugmentation(f.model(), base.conditioningFeatureDim(), where),
                    where + ".model");
            fits(model, side, where + ".model (at " + side + "²)");
            stages.add(new CascadeConfig.SuperResolution(model, side, max, sample, guidance,
                    f.residual() != null && f.residual(), f.lossTargetType()));
            below = side;
        }
        int stage = c.stage() == null ? stages.size() : c.stage();
        if (stage < 0 || stage > stages.size()) {
            throw new MdmException("cascade stage " + stage + " does not exist: the cascade has the base (0) and "
                    + stages.size() + " super-resolution stage(s)");
        }
        return new CascadeConfig(base, c.baseResolution(), List.copyOf(stages), stage);
    }

    @Override
    public Map<String, Shape> parameterShapes(BackboneConfig config) {
        try (NDManager m = ai.djl.ndarray.NDManager.newBaseManager()) {
            try (Backbone b = create(config, m, 0)) {
                Map<String, Shape> out = new LinkedHashMap<>();
                b.parameters().forEach((k, v) -> out.put(k, v.getShape()));
                return out;
            }
        }
    }

    @Override
    public Backbone create(BackboneConfig config, NDManager manager, long seed) {
        if (!(config instanceof CascadeConfig c)) {
            throw new MdmException("backbone 'cascade' cannot use a configuration parsed by '" + config.backbone()
                    + "': parse it with the same backbone.");
        }
        return build(c, manager, seed);
    }

    private Backbone build(CascadeConfig c, NDManager manager, long seed) {
        if (c.stage() == 0) {
            return new BaseStage(unet.create(c.base(), manager, seed), c.baseSide());
        }
        CascadeBackboneBase lower = (CascadeBackboneBase) build(c.upTo(c.stage() - 1), manager, seed);
        CascadeConfig.SuperResolution sr = c.superResolution().get(c.stage() - 1);
        return new SuperResolutionStage(c, lower, unet.create(sr.model(), manager, seed + 7919L * c.stage(), 6), sr);
    }

    private UNetBackboneConfig parseUNet(JsonNode model, String where) {
        try {
            return unet.parseConfig(Json.options(model));
        } catch (MdmException e) {
            throw new MdmException(where + ": " + e.getMessage(), e);
        }
    }

    /** Each network halves its side once per resolution after the first. */
    private static void fits(UNetBackboneConfig c, int side, String where) {
        int halvings = c.unet().levels() - 1;
        if (side % (1 << halvings) != 0) {
            throw new MdmException(where + " halves its side " + halvings + " times, so the side must be divisible by "
                    + (1 << halvings) + ": change resolution_channels or the resolution");
        }
    }

    /** The stage's model with the base's conditioning width and the augmentation level's embedding added. */
    private static JsonNode withAugmentation(JsonNode model, int conditioningDim, String where) {
        ObjectNode m = ((ObjectNode) model).deepCopy();
        if (m.has("inner_config")) {
            throw new MdmException(where + ".model is nested (inner_config): a super-resolution stage is a plain UNet");
        }
        m.put("conditioning_feature_dim", conditioningDim);
        String micro = m.path("micro_conditioning").asText("");
        if (micro.contains(mdm.api.model.CascadedBackbone.AUGMENTATION_LEVEL + ":")) {
            return m; // already there (a configuration written back from a checkpoint); the stage always passes the level
        }
        String aug = mdm.api.model.CascadedBackbone.AUGMENTATION_LEVEL + ":0";
        m.put("micro_conditioning", micro.isBlank() ? aug : micro + "," + aug);
        return m;
    }
}
