package mdm.baseline.cascade.internal;

import ai.djl.ndarray.NDArray;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.DoubleSupplier;
import mdm.api.diffusion.NoiseSource;
import mdm.api.model.Backbone;
import mdm.api.model.BackboneConfig;
import mdm.api.model.CascadeStage;
import mdm.api.model.Conditioning;

/** The cascade's base: the plain UNet at the lowest resolution, with the UNet's own parameter keys. */
final class BaseStage extends CascadeBackboneBase implements CascadeStage {
    private final Backbone unet;
    private final int side;

    BaseStage(Backbone unet, int side) {
        this.unet = unet;
        this.side = side;
    }

    @Override
    public BackboneConfig config() {
        return unet.config();
    }

    @Override
    public Map<String, NDArray> parameters() {
        return unet.parameters();
    }

    @Override
    public Set<String> frozen() {
        return unet.frozen();
    }

    @Override
    public List<NDArray> forward(List<NDArray> noisy, NDArray times, Conditioning cond, boolean training) {
        return unet.forward(noisy, times, cond, training);
    }

    @Override
    public List<CascadeStage> chain() {
        return List.of(this);
    }

    @Override
    public Conditioning trainingConditioning(NDArray clean, Conditioning cond, NoiseSource normal, DoubleSupplier uniform) {
        return cond;
    }

    @Override
    CascadeStage asStage() {
        return this;
    }

    @Override
    public Backbone network() {
        return this;
    }

    @Override
    public int side() {
        return side;
    }

    @Override
    public double guidance() {
        return Double.NaN;
    }

    @Override
    public boolean isBase() {
        return true;
    }

    @Override
    public NDArray conditioningImage(NDArray lower, NoiseSource noise) {
        throw new IllegalStateException("the base of a cascade takes no conditioning image");
    }

    @Override
    public Conditioning condition(Conditioning cond, NDArray image) {
        return cond;
    }

    @Override
    public void close() {
        unet.close();
    }
}
