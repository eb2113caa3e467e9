package mdm.nn.unet;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import mdm.api.MdmException;
import mdm.api.model.Backbone;
import mdm.api.model.BackboneConfig;
import mdm.api.model.BackboneFactory;
import mdm.nn.ParamStore;

/**
 * The {@link BackboneFactory} behaviour shared by the {@code unet} and {@code nested*_unet}
 * components: each registered name is one instance of this class.
 */
public class UNetModels implements BackboneFactory {
    private final String name;

    /** @param name the registered model name (unet, nested_unet, nested2_unet, nested3_unet, nested4_unet) */
    public UNetModels(String name) {
        if (UNetConfigs.nestedLevels(name) < 0) {
            throw new IllegalArgumentException("not a UNet model name: " + name);
        }
        this.name = name;
    }

    @Override
    public UNetBackboneConfig parseConfig(mdm.api.Options unetConfig) {
        return UNetBackboneConfig.parse(name, unetConfig);
    }

    @Override
    public Map<String, Shape> parameterShapes(BackboneConfig config) {
        UNetBackboneConfig c = own(config);
        ParamStore shapes = ParamStore.shapesOnly();
        new UNetLevel(shapes.root(), c.unet(), c.conditioningFeatureDim(), 3, 3);
        return shapes.shapes();
    }

    @Override
    public UNetBackbone create(BackboneConfig config, NDManager manager, long seed) {
        return new UNetBackbone(own(config), manager, seed);
    }

    /**
     * The same network with {@code inChannels} input channels instead of 3 (only {@code conv_in}
     * differs): a super-resolution stage takes the noisy image and its conditioning image stacked.
     */
    public UNetBackbone create(BackboneConfig config, NDManager manager, long seed, int inChannels) {
        return new UNetBackbone(own(config), manager, seed, inChannels, 3);
    }

    /** The same network on {@code inChannels} → {@code outChannels} (latent diffusion: the latent's channels). */
    public UNetBackbone create(BackboneConfig config, NDManager manager, long seed, int inChannels, int outChannels) {
        return new UNetBackbone(own(config), manager, seed, inChannels, outChannels);
    }

    private UNetBackboneConfig own(BackboneConfig config) {
        if (config instanceof UNetBackboneConfig c && c.backbone().equals(name)) {
            return c;
        }
        throw new MdmException("backbone '" + name + "' cannot use a configuration parsed by '" + config.backbone()
                + "': parse it with the same backbone.");
    }

    public String name() {
        return name;
    }

    /** Parameter count from shapes alone. */
    public static long count(Map<String, Shape> shapes) {
        return shapes.values().stream().mapToLong(Shape::size).sum();
    }

    /** Creates a backbone of any UNet model name, outside the service registry (tests, tools). */
    public static Backbone create(String name, JsonNode unetConfig, NDManager manager, long seed) {
        UNetModels f = new UNetModels(name);
        return f.create(UNetBackboneConfig.parse(name, unetConfig), manager, seed);
    }
}
