package mdm.trainer.internal;

import java.util.List;
import mdm.api.model.BackboneConfig;
import mdm.api.model.BackboneFactory;
import mdm.api.train.StageSpec;
import mdm.diffusion.DiffusionSettings;

/**
 * One stage made concrete: the (sub-)network it trains, at which resolution, with which diffusion
 * settings and batch size.
 *
 * @param backboneName the component that builds it ({@code unet} for a single innermost level)
 * @param resolution   side of the stage's highest level in pixels
 * @param inherited    key prefix under which the previous stage's network lives in this one
 *                     ("" when the stage continues the same network, null for the first stage)
 */
record StagePlan(int index, StageSpec spec, String backboneName, BackboneFactory factory, BackboneConfig config,
                 DiffusionSettings diffusion, int resolution, int batchSize, String inherited) {
    List<Integer> levelScales() {
        return config.levelScales();
    }

    /** Level sides, highest first, e.g. [32, 16]. */
    List<Integer> sides() {
        int innermost = resolution / config.levelScales().get(0);
        return config.levelScales().stream().map(s -> s * innermost).toList();
    }
}
