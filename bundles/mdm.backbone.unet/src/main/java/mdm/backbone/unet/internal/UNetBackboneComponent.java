package mdm.backbone.unet.internal;

import mdm.api.Components;
import mdm.api.DjlRuntime;
import mdm.api.model.BackboneFactory;
import mdm.nn.unet.UNetModels;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The plain ml-mdm UNet ({@code unet}). The model section is ml-mdm's {@code unet_config}; set its
 * {@code conditioning_feature_dim} to the conditioner's width before parsing, as ml-mdm's CLI does.
 */
@Component(service = BackboneFactory.class,
        property = {Components.NAME + "=unet", Components.KIND + "=" + Components.BACKBONE})
public class UNetBackboneComponent extends UNetModels {
    /** Tensors are only made once the engine has started. */
    @Reference
    DjlRuntime runtime;

    public UNetBackboneComponent() {
        super("unet");
    }
}
