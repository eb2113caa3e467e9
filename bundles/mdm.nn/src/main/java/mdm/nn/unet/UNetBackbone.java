package mdm.nn.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import mdm.api.MdmException;
import mdm.api.model.Backbone;
import mdm.api.model.Conditioning;
import mdm.nn.CrossInput;
import mdm.nn.Forward;
import mdm.nn.ParamStore;

/**
 * A built UNet or NestedUNet. Parameters live in a manager of their own (closed with the
 * backbone), keyed by the ml-mdm state-dict names in registration order; the map is fixed, so
 * weights are loaded by copying into the tensors ({@code NDArray.set}), never by replacing them.
 * Forward results are attached to the manager of the inputs (the caller's per-step manager).
 */
public final class UNetBackbone implements Backbone {
    private final UNetBackboneConfig config;
    private final NDManager manager;
    private final ParamStore store;
    private final UNetLevel top;
    private final Set<String> frozen;
    private final int inChannels;

    UNetBackbone(UNetBackboneConfig config, NDManager parent, long seed) {
        this(config, parent, seed, 3, 3);
    }

    /**
     * @param inChannels  channels of each input (3; more when images are concatenated to it, as in
     *                    super-resolution; a latent's channels in latent diffusion)
     * @param outChannels channels of each output (3, or a latent's)
     */
    UNetBackbone(UNetBackboneConfig config, NDManager parent, long seed, int inChannels, int outChannels) {
        this.config = config;
        this.inChannels = inChannels;
        this.manager = parent.newSubManager();
        this.store = ParamStore.allocating(manager, seed);
        this.top = new UNetLevel(store.root(), config.unet(), config.conditioningFeatureDim(), inChannels, outChannels);
        Set<String> f = new LinkedHashSet<>();
        String prefix = "";
        for (UNetConfig c = config.unet(); c.isNested(); c = c.innerConfig()) {
            prefix += "inner_unet.";
            if (c.freezeInnerUnet()) {
                for (String key : store.arrays().keySet()) {
                    if (key.startsWith(prefix)) {
                        f.add(key);
                    }
                }
            }
        }
        this.frozen = Collections.unmodifiableSet(f);
    }

    @Override
    public UNetBackboneConfig config() {
        return config;
    }

    @Override
    public Map<String, NDArray> parameters() {
        return store.arrays();
    }

    @Override
    public Set<String> frozen() {
        return frozen;
    }

    @Override
    public List<NDArray> forward(List<NDArray> noisy, NDArray times, Conditioning cond, boolean training) {
        return forward(noisy, times, cond, training ? Forward.TRAIN : Forward.EVAL);
    }

    /** As {@link #forward(List, NDArray, Conditioning, boolean)}, with a trace of intermediate outputs. */
    public List<NDArray> forward(List<NDArray> noisy, NDArray times, Conditioning cond, Forward f) {
        check(noisy, times, cond);
        NDArray condEmb = null;
        CrossInput cross = null;
        if (top.condDim() > 0) {
            UNetLevel.Conditioned c = top.conditioning(f, cond.tokens(), cond.mask());
            condEmb = c.condEmb();
            cross = c.cross();
        }
        Map<String, NDArray> micros = cond == null ? Map.of() : cond.micros();
        return top.denoise(f, noisy, null, times, condEmb, cross, micros).outputs();
    }

    /** The outermost level (for inspection and tests). */
    public UNetLevel network() {
        return top;
    }

    private void check(List<NDArray> noisy, NDArray times, Conditioning cond) {
        List<Integer> scales = config.levelScales();
        if (noisy.size() != scales.size()) {
            throw new MdmException(config.backbone() + " takes " + scales.size() + " inputs (one per resolution, highest "
                    + "first), got " + noisy.size() + ".");
        }
        Shape top0 = noisy.get(0).getShape();
        long prevBatch = 0;
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < noisy.size(); i++) {
            Shape s = noisy.get(i).getShape();
            if (s.dimension() != 4 || s.get(1) != inChannels) {
                problems.add("input " + i + " has shape " + s + ", expected (B, " + inChannels + ", H, W)");
                continue;
            }
            long expect = top0.get(2) * scales.get(i) / scales.get(0);
            if (s.get(2) != expect || s.get(3) != top0.get(3) * scales.get(i) / scales.get(0)) {
                problems.add("input " + i + " is " + s.get(2) + "×" + s.get(3) + ", expected " + expect + "×"
                        + top0.get(3) * scales.get(i) / scales.get(0) + " (scales " + scales + ")");
            }
            if (s.get(0) < prevBatch) {
                problems.add("input " + i + " has batch " + s.get(0) + ", smaller than the level above (" + prevBatch
                        + "); a lower resolution's batch must contain the higher one's");
            }
            prevBatch = s.get(0);
        }
        if (times.getShape().dimension() != 1 || times.getShape().get(0) != prevBatch) {
            problems.add("times has shape " + times.getShape() + ", expected (" + prevBatch + ")");
        }
        if (top.condDim() > 0) {
            if (cond == null || cond.tokens() == null) {
                problems.add("this backbone is text-conditioned (conditioning_feature_dim "
                        + config.conditioningFeatureDim() + ") but no conditioning tokens were given");
            } else {
                Shape t = cond.tokens().getShape();
                if (t.dimension() != 3 || t.get(0) != prevBatch || t.get(2) != config.conditioningFeatureDim()) {
                    problems.add("conditioning tokens have shape " + t + ", expected (" + prevBatch + ", L, "
                            + config.conditioningFeatureDim() + ")");
                }
                if (cond.mask() != null && !cond.mask().getShape().equals(new Shape(t.get(0), t.get(1)))) {
                    problems.add("conditioning mask has shape " + cond.mask().getShape() + ", expected (" + t.get(0)
                            + ", " + t.get(1) + ")");
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new MdmException(config.backbone() + " forward: " + String.join("; ", problems) + ".");
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
