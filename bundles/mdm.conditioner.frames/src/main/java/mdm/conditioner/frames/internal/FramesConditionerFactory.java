package mdm.conditioner.frames.internal;

import ai.djl.ndarray.NDManager;
import java.util.Collections;
import mdm.api.Options;
import mdm.api.Components;
import mdm.api.DjlRuntime;
import mdm.api.MdmException;
import mdm.api.conditioning.Conditioner;
import mdm.api.conditioning.ConditionerFactory;
import mdm.api.data.DatasetInfo;
import mdm.conditioner.frames.FramePatches;
import mdm.conditioner.frames.FramesConditioner;
import mdm.core.config.Json;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** The {@code frames} conditioner. It references the runtime only so that it starts after the engine. */
@Component(service = ConditionerFactory.class,
        property = {Components.NAME + "=frames", Components.KIND + "=" + Components.CONDITIONER})
public final class FramesConditionerFactory implements ConditionerFactory {

    @Activate
    public FramesConditionerFactory(@Reference DjlRuntime runtime) {
        // parameters are made in the managers callers pass; the reference orders activation only
    }

    @Override
    public int featureDim(Options options, DatasetInfo data) {
        FramesOptions o = Json.bind(options, FramesOptions.class, "frames conditioner options");
        patches(o, data);
        return o.dim();
    }

    @Override
    public Conditioner create(Options options, DatasetInfo data, NDManager manager, long seed) {
        FramesOptions o = Json.bind(options, FramesOptions.class, "frames conditioner options");
        return new FramesConditioner(patches(o, data), o.dim(), o.layers(), o.heads(), manager.newSubManager(), seed);
    }

    private static FramePatches patches(FramesOptions o, DatasetInfo data) {
        int last = Collections.max(o.frames());
        if (data.frames() <= 1) {
            throw new MdmException("the frames conditioner conditions a video model on frames of each clip, but dataset '"
                    + data.name() + "' has single images; use a video dataset (e.g. video-frames or the shapes video variant).");
        }
        if (last >= data.frames()) {
            throw new MdmException("frames conditioner: frame " + last + " does not exist in clips of " + data.frames()
                    + " frames of dataset '" + data.name() + "'; use indices 0.." + (data.frames() - 1) + ".");
        }
        return new FramePatches(o.frameIndices(), o.grid(), data.channels(), data.imageSize());
    }
}
