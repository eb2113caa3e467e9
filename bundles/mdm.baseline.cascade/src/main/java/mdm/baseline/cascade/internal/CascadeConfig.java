package mdm.baseline.cascade.internal;

import mdm.api.Options;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import mdm.api.model.BackboneConfig;
import mdm.core.config.Json;
import mdm.nn.unet.UNetBackboneConfig;

/**
 * A cascade up to one of its stages: the base UNet and the super-resolution stages 1..{@code stage}.
 * The network it trains is the last one; its level is a single resolution ({@code levelScales} [1]).
 */
record CascadeConfig(UNetBackboneConfig base, int baseSide, List<SuperResolution> superResolution, int stage)
        implements BackboneConfig {
    static final String NAME = "cascade";

    /**
     * One super-resolution stage, validated.
     *
     * @param residual   the stage generates x − up(y), y the (clean) image of the stage below
     * @param lossTarget the stage's loss_target_type, or null for the spec's diffusion section
     */
    record SuperResolution(UNetBackboneConfig model, int side, double augMax, double augSample, double guidance,
                           boolean residual, String lossTarget) {
    }

    /** The same cascade up to stage {@code k}. */
    CascadeConfig upTo(int k) {
        return new CascadeConfig(base, baseSide, superResolution, k);
    }

    /** Side of the images stage {@code k} generates. */
    int side(int k) {
        return k == 0 ? baseSide : superResolution.get(k - 1).side();
    }

    @Override
    public String backbone() {
        return NAME;
    }

    @Override
    public List<Integer> levelScales() {
        return List.of(1);
    }

    @Override
    public int conditioningFeatureDim() {
        return base.conditioningFeatureDim();
    }

    @Override
    public boolean temporal() {
        return false;
    }

    @Override
    public Options toOptions() {
        return Json.options(toJson());
    }
    
    /** The configuration as a Jackson tree. */
    public JsonNode toJson() {
        ObjectNode o = Json.empty();
        o.put("stage", stage);
        o.put("base_resolution", baseSide);
        o.set("base", base.toJson());
        var list = o.putArray("super_resolution");
        for (SuperResolution s : superResolution) {
            ObjectNode e = list.addObject();
            e.put("resolution", s.side());
            e.put("noise_aug_max", s.augMax());
            e.put("noise_aug_sample", s.augSample());
            if (!Double.isNaN(s.guidance())) {
                e.put("guidance", s.guidance());
            }
            e.put("residual", s.residual());
            if (s.lossTarget() != null) {
                e.put("loss_target_type", s.lossTarget());
            }
            e.set("model", s.model().toJson());
        }
        return o;
    }
}
