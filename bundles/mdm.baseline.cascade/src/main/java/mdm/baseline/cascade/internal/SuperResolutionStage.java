package mdm.baseline.cascade.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.DoubleSupplier;
import mdm.api.MdmException;
import mdm.api.diffusion.NoiseSource;
import mdm.api.model.Backbone;
import mdm.api.model.BackboneConfig;
import mdm.api.model.CascadeStage;
import mdm.api.model.CascadedBackbone;
import mdm.api.model.Conditioning;
import mdm.core.tensor.AreaDownsample;
import mdm.core.tensor.NativeArrays;

/**
 * A super-resolution stage: the UNet sees the noisy image and the conditioning image (the stage
 * below's output resized up, corrupted at the augmentation level) stacked as six channels, and
 * the level through its {@code noise_aug} embedding. The stages below are carried along frozen
 * under {@code lower.}, so that the checkpoint of the last stage samples the whole chain.
 */
final class SuperResolutionStage extends CascadeBackboneBase implements CascadeStage {
    static final String LOWER = "lower.";
    static final String OWN = "sr.";

    private final CascadeConfig config;
    private final CascadeBackboneBase lower;
    private final Backbone unet;
    private final CascadeConfig.SuperResolution sr;
    private final int factor;
    private final Map<String, NDArray> parameters = new LinkedHashMap<>();
    private final Set<String> frozen = new LinkedHashSet<>();

    SuperResolutionStage(CascadeConfig config, CascadeBackboneBase lower, Backbone unet, CascadeConfig.SuperResolution sr) {
        this.config = config;
        this.lower = lower;
        this.unet = unet;
        this.sr = sr;
        this.factor = sr.side() / config.side(config.stage() - 1);
        lower.parameters().forEach((k, v) -> parameters.put(LOWER + k, v));
        unet.parameters().forEach((k, v) -> parameters.put(OWN + k, v));
        frozen.addAll(lower.parameters().keySet().stream().map(k -> LOWER + k).toList());
        unet.frozen().forEach(k -> frozen.add(OWN + k));
    }

    @Override
    public BackboneConfig config() {
        return config;
    }

    /** The stages below are frozen: each was trained in its own stage. */
    @Override
    public Map<String, NDArray> parameters() {
        return Collections.unmodifiableMap(parameters);
    }

    @Override
    public Set<String> frozen() {
        return Collections.unmodifiableSet(frozen);
    }

    @Override
    public List<NDArray> forward(List<NDArray> noisy, NDArray times, Conditioning cond, boolean training) {
        if (noisy.size() != 1) {
            throw new MdmException("a super-resolution stage takes one noisy image per sample, got " + noisy.size() + " levels");
        }
        NDArray image = cond == null ? null : cond.micros().get(CascadedBackbone.CONDITIONING_IMAGE);
        if (image == null) {
            throw new MdmException("super-resolution stage at " + sr.side() + "² got no conditioning image ('"
                    + CascadedBackbone.CONDITIONING_IMAGE + "'): sample it through its cascade");
        }
        NDArray x = noisy.get(0);
        if (!image.getShape().equals(x.getShape())) {
            throw new MdmException("the conditioning image has shape " + image.getShape() + " but the noisy image "
                    + x.getShape() + ": they must match");
        }
        NDArray stacked = NDArrays.concat(new NDList(x, image.toType(x.getDataType(), false)), 1);
        return unet.forward(List.of(stacked), times, cond, training);
    }

    @Override
    public List<CascadeStage> chain() {
        List<CascadeStage> out = new ArrayList<>(lower.chain());
        out.add(this);
        return out;
    }

    @Override
    public Conditioning trainingConditioning(NDArray clean, Conditioning cond, NoiseSource normal, DoubleSupplier uniform) {
        int b = Math.toIntExact(clean.getShape().get(0));
        float[] levels = new float[b];
        for (int i = 0; i < b; i++) {
            levels[i] = (float) (uniform.getAsDouble() * sr.augMax());
        }
        NDArray low = AreaDownsample.apply(clean, factor);
        NDArray image = NoiseAugmentation.apply(Bilinear.upsample(low, factor), levels, normal);
        return withImage(cond, image, NativeArrays.create(clean.getManager(), levels, new Shape(b)));
    }

    /**
     * A residual stage (SRDiff, Li et al. 2022) models r = x − up(down(x)): what bilinear
     * up-sampling misses. Its network's zero-initialised output then starts at the bilinear image
     * instead of grey, so a short training only has to learn the detail, and the PSNR-optimal
     * estimate E[r | y] can only add to bilinear's what the data supports.
     */
    @Override
    public NDArray diffusionData(NDArray clean) {
        if (!sr.residual()) {
            return clean;
        }
        return clean.sub(Bilinear.upsample(AreaDownsample.apply(clean, factor), factor));
    }

    @Override
    public NDArray image(NDArray sampled, NDArray lowerOutput) {
        if (!sr.residual()) {
            return sampled;
        }
        checkSide(lowerOutput);
        return sampled.add(Bilinear.upsample(lowerOutput, factor).toType(sampled.getDataType(), false));
    }

    private void checkSide(NDArray lowerOutput) {
        long side = lowerOutput.getShape().get(3);
        if (side * factor != sr.side()) {
            throw new MdmException("the stage below gave " + side + "² images but the super-resolution stage at "
                    + sr.side() + "² expects " + sr.side() / factor + "²");
        }
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
        return sr.side();
    }

    @Override
    public double guidance() {
        return sr.guidance();
    }

    @Override
    public boolean isBase() {
        return false;
    }

    @Override
    public NDArray conditioningImage(NDArray lowerOutput, NoiseSource noise) {
        checkSide(lowerOutput);
        float[] levels = new float[Math.toIntExact(lowerOutput.getShape().get(0))];
        java.util.Arrays.fill(levels, (float) sr.augSample());
        return NoiseAugmentation.apply(Bilinear.upsample(lowerOutput, factor), levels, noise);
    }

    @Override
    public Conditioning condition(Conditioning cond, NDArray image) {
        long b = cond.batchSize();
        return withImage(cond, image, image.getManager().full(new Shape(b), (float) sr.augSample(), DataType.FLOAT32));
    }

    private static Conditioning withImage(Conditioning cond, NDArray image, NDArray levels) {
        Map<String, NDArray> micros = new HashMap<>(cond.micros());
        micros.put(CascadedBackbone.CONDITIONING_IMAGE, image);
        micros.put(CascadedBackbone.AUGMENTATION_LEVEL, levels);
        return new Conditioning(cond.tokens(), cond.mask(), micros);
    }

    @Override
    public void close() {
        unet.close();
        lower.close();
    }
}
