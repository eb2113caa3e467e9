package mdm.trainer.internal;

import java.nio.file.Path;
import java.util.List;
import mdm.api.model.BackboneConfig;
import mdm.api.model.BackboneFactory;
import mdm.api.train.StageSpec;
import mdm.api.diffusion.NoiseSchedule;
import mdm.diffusion.DiffusionSettings;
import mdm.diffusion.MultiResolutionProcess;

/**
 * One stage made concrete: the (sub-)network it trains, at which resolution, with which diffusion
 * settings and batch size.
 *
 * @param backboneName the component that builds it ({@code unet} for a single innermost level)
 * @param resolution   side of the stage's highest level in pixels
 * @param inherited    key prefix under which the previous stage's network lives in this one
 *                     ("" when the stage continues the same network, null for the first stage)
 * @param pretrained   a checkpoint folder whose weights the first stage starts from under {@code inherited}
 *                     (a latent spec's {@code latent.autoencoder_checkpoint}), or null
 */
record StagePlan(int index, StageSpec spec, String backboneName, BackboneFactory factory, BackboneConfig config,
                 DiffusionSettings diffusion, int resolution, int batchSize, String inherited, Path pretrained) {
    StagePlan(int index, StageSpec spec, String backboneName, BackboneFactory factory, BackboneConfig config,
              DiffusionSettings diffusion, int resolution, int batchSize, String inherited) {
        this(index, spec, backboneName, factory, config, diffusion, resolution, batchSize, inherited, null);
    }

    /** The diffusion process of this stage; for clips, levels that keep frames rather than pixels say so. */
    MultiResolutionProcess process(NoiseSchedule schedule, int frames) {
        MultiResolutionProcess process = new MultiResolutionProcess(diffusion, schedule, config.levelScales());
        return frames > 1 ? process.withFramePyramid(config.frameSubsampled(), (int) Math.round(Math.sqrt(frames)))
                : process;
    }

    List<Integer> levelScales() {
        return config.levelScales();
    }

    /** Level sides, highest first, e.g. [32, 16]. */
    List<Integer> sides() {
        int innermost = resolution / config.levelScales().get(0);
        return config.levelScales().stream().map(s -> s * innermost).toList();
    }
}
