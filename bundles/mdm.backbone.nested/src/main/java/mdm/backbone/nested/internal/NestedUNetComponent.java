package mdm.backbone.nested.internal;

import mdm.api.Components;
import mdm.api.DjlRuntime;
import mdm.api.model.BackboneFactory;
import mdm.nn.unet.UNetModels;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * ml-mdm's {@code nested_unet}: one nested level(s) around a plain UNet. Each depth is its own
 * registration, as in ml-mdm, because the name fixes how many {@code inner_config} levels the
 * configuration has (missing ones take ml-mdm's defaults).
 */
@Component(service = BackboneFactory.class,
        property = {Components.NAME + "=nested_unet", Components.KIND + "=" + Components.BACKBONE})
public class NestedUNetComponent extends UNetModels {
    /** Tensors are only made once the engine has started. */
    @Reference
    DjlRuntime runtime;

    public NestedUNetComponent() {
        super("nested_unet");
    }
}
