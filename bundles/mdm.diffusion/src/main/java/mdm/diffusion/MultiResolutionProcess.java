package mdm.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import mdm.api.MdmException;
import mdm.api.diffusion.Denoiser;
import mdm.api.diffusion.LevelSchedule;
import mdm.api.diffusion.NoiseSchedule;
import mdm.api.diffusion.NoiseSource;
import mdm.api.model.Backbone;
import mdm.api.model.Conditioning;
import mdm.core.random.HostRandom;
import mdm.core.tensor.AreaDownsample;
import mdm.core.tensor.Mosaic;
import mdm.core.tensor.NativeArrays;
import mdm.core.tensor.Scalars;

/**
 * The multi-resolution diffusion process of one experiment (ml-mdm {@code NestedDiffusion}, and
 * {@code Diffusion} for a single level; fact sheet §3.5–3.7): the pyramid of clean images by area
 * down-sampling, one time step per example shared by every level, fresh noise per level, per-level
 * schedules, targets, the loss with level weights and the mixed batch, and the model wrapper the
 * samplers call.
 *
 * <pre>
 *   process = new MultiResolutionProcess(settings, schedule, backboneConfig.levelScales());
 *   NoisedBatch batch = process.noise(images, TrainingDraws.from(random));
 *   List&lt;NDArray&gt; out = backbone.forward(batch.modelInputs(), batch.modelTimes(), cond, true);
 *   TrainingLoss loss = process.loss(batch, out);          // differentiate loss.total()
 * </pre>
 */
public final class MultiResolutionProcess {
    private final DiffusionSettings settings;
    private final List<Integer> scales;
    private final List<LevelSchedule> levels;
    private final float[] vdmWeights;
    private final double[] levelWeights;
    private final double[] mixed;
    private final List<Boolean> frameSubsampled;
    private final int tiles;

    /**
     * @param settings    the experiment's diffusion settings
     * @param schedule    the schedule component named by {@code settings.schedule()}
     * @param levelScales the backbone's level scales, highest first, e.g. [4, 1] (BackboneConfig.levelScales)
     */
    public MultiResolutionProcess(DiffusionSettings settings, NoiseSchedule schedule, List<Integer> levelScales) {
        this(settings, LevelSchedules.base(settings, schedule), levelScales);
    }

    /** The process for a base γ already computed by {@link LevelSchedules#base}. */
    public MultiResolutionProcess(DiffusionSettings settings, double[] base, List<Integer> levelScales) {
        this.settings = settings;
        this.scales = List.copyOf(levelScales);
        this.levels = LevelSchedules.build(settings, base, scales);
        this.vdmWeights = settings.numDiffusionSteps() >= 2 ? Gammas.vdmWeights(base) : null;
        int n = scales.size();
        this.levelWeights = new double[n];
        if (settings.multiResWeights().isEmpty()) {
            java.util.Arrays.fill(levelWeights, 1.0);
        } else if (settings.multiResWeights().size() != n) {
            throw new MdmException("multi_res_weights has " + settings.multiResWeights().size() + " values but the backbone"
                    + " has " + n + " levels " + scales + ": give one weight per level, highest resolution first");
        } else {
            for (int i = 0; i < n; i++) {
                levelWeights[i] = settings.multiResWeights().get(i);
            }
        }
        if (!settings.mixedRatio().isEmpty() && settings.mixedRatio().size() != n) {
            throw new MdmException("mixed_ratio has " + settings.mixedRatio().size() + " parts but the backbone has " + n
                    + " levels " + scales + ": give one part per level, highest resolution first, e.g. 2:1");
        }
        this.mixed = settings.mixedRatio().stream().mapToDouble(Double::doubleValue).toArray();
        this.frameSubsampled = java.util.Collections.nCopies(n, false);
        this.tiles = 1;
        if (settings.useVdmLossWeights() && vdmWeights == null) {
            throw new MdmException("use_vdm_loss_weights needs num_diffusion_steps >= 2");
        }
    }

    /** A copy of {@code other} with another frame pyramid (see {@link #withFramePyramid}). */
    private MultiResolutionProcess(MultiResolutionProcess other, List<Boolean> frameSubsampled, int tiles) {
        this.settings = other.settings;
        this.scales = other.scales;
        this.levels = other.levels;
        this.vdmWeights = other.vdmWeights;
        this.levelWeights = other.levelWeights;
        this.mixed = other.mixed;
        this.frameSubsampled = List.copyOf(frameSubsampled);
        this.tiles = tiles;
    }

    public DiffusionSettings settings() {
        return settings;
    }

    /** The backbone's level scales, highest first. */
    public List<Integer> levelScales() {
        return scales;
    }

    /** The schedule of every level, highest first: what a {@code SamplingRequest} needs. */
    public List<LevelSchedule> levels() {
        return levels;
    }

    /** The VDM weights w[0..N] from the unshifted base γ (null for N = 1). */
    public float[] vdmWeights() {
        return vdmWeights == null ? null : vdmWeights.clone();
    }

    /**
     * Noises a batch of clean images (B×C×H×W at the top resolution, values in [−1, 1]): draws the time
     * steps and the noise in the reference's order, builds the pyramid and every level's x_t and target.
     */
    public NoisedBatch noise(NDArray images, TrainingDraws draws) {
        NDManager m = images.getManager();
        int batch = Math.toIntExact(images.getShape().get(0));
        int steps = settings.numDiffusionSteps();
        int[] t = draws.timesteps(batch, steps);
        long[] modelTimes = new long[batch];
        for (int i = 0; i < batch; i++) {
            if (t[i] < 0 || t[i] >= steps) {
                throw new IllegalStateException("time step " + t[i] + " outside [0, " + steps + ")");
            }
            modelTimes[i] = t[i];
        }
        List<NDArray> pyramid = pyramid(images);
        List<NDArray> clean = new ArrayList<>();
        List<NDArray> noise = new ArrayList<>();
        List<NDArray> noisy = new ArrayList<>();
        List<NDArray> targets = new ArrayList<>();
        List<NoiseLevel> coefficients = new ArrayList<>();
        int[] active = new int[scales.size()];
        for (int i = 0; i < scales.size(); i++) {
            NDArray x = pyramid.get(i);
            NDArray eps = draws.normal(x.getShape(), m);
            LevelSchedule schedule = levels.get(i);
            float[] gamma = new float[batch];
            for (int b = 0; b < batch; b++) {
                gamma[b] = (float) schedule.gammas()[t[b] + 1];
            }
            NoiseLevel level = NoiseLevel.perExample(gamma, m);
            NDArray x0 = schedule.signalScale() == 1.0 ? x : Scalars.div(x, schedule.signalScale());
            clean.add(x0);
            noise.add(eps);
            noisy.add(Predictions.noisy(x0, eps, level));
            targets.add(Predictions.target(settings.lossTarget(), x0, eps, level));
            coefficients.add(level);
            active[i] = mixed.length == 0 ? batch : (int) (mixed[i] * batch);
            if (active[i] < 1) {
                throw new MdmException("mixed_ratio leaves level " + i + " no example in a batch of " + batch
                        + ": raise the batch size or that level's share");
            }
        }
        NDArray weights = null;
        if (settings.useVdmLossWeights()) {
            float[] w = new float[batch];
            for (int b = 0; b < batch; b++) {
                w[b] = vdmWeights[t[b] + 1];
            }
            weights = NativeArrays.create(m, w);
        }
        return new NoisedBatch(t, NativeArrays.create(m, modelTimes), clean, noise, noisy, targets, coefficients, active, weights);
    }

    /**
     * The loss for the backbone's raw outputs (one per level, highest first; each either cut to the
     * level's active examples or the full batch).
     */
    public TrainingLoss loss(NoisedBatch batch, List<NDArray> rawOutputs) {
        if (rawOutputs.size() != scales.size()) {
            throw new MdmException("the backbone returned " + rawOutputs.size() + " outputs for " + scales.size()
                    + " levels " + scales);
        }
        int size = batch.batchSize();
        NDArray perExample = null;
        List<NDArray> perLevel = new ArrayList<>();
        List<NDArray> predictions = new ArrayList<>();
        for (int i = 0; i < scales.size(); i++) {
            int n = batch.activeExamples()[i];
            NDArray out = softClip(rawOutputs.get(i));
            long rows = out.getShape().get(0);
            if (rows != n && rows != size) {
                throw new MdmException("level " + i + " output has batch " + rows + ", expected " + n);
            }
            if (rows != n) {
                out = out.get("0:" + n);
            }
            NDArray xt = prefix(batch.noisy().get(i), n, size);
            NDArray target = prefix(batch.targets().get(i), n, size);
            NDArray pred = Predictions.convert(settings.prediction(), settings.lossTarget(), xt, out,
                    batch.levels().get(i).prefix(n));
            predictions.add(pred);
            NDArray term;
            if (i == 0 || settings.useDoubleLoss()) {
                term = pred.sub(target).square().reshape(n, -1).mean(new int[] {1});
                if (mixed.length > 0) {
                    term = Scalars.div(term, mixed[i]);
                }
                term = Scalars.mul(term, levelWeights[i]);
                if (n < size) {
                    term = term.concat(term.getManager().zeros(new Shape(size - n)));
                }
            } else {
                // ml-mdm adds 0·mean(pred): the level contributes nothing but stays in the graph
                NDArray zero = Scalars.mul(pred.mean(), 0.0);
                term = zero.add(zero.getManager().zeros(new Shape(size)));
            }
            perLevel.add(term);
            perExample = perExample == null ? term : perExample.add(term);
        }
        NDArray weights = batch.vdmWeights();
        NDArray total = weights == null ? perExample.mean() : perExample.mul(weights).sum().div(weights.sum());
        return new TrainingLoss(total, perExample, perLevel, predictions, weights);
    }

    /** Noises, runs the backbone in training mode and returns the loss: one training forward pass. */
    public TrainingLoss compute(NDArray images, Conditioning conditioning, Backbone backbone, TrainingDraws draws) {
        NoisedBatch batch = noise(images, draws);
        return loss(batch, backbone.forward(batch.modelInputs(), batch.modelTimes(), conditioning, true));
    }

    /** The backbone as the samplers call it (inference mode, soft-clipped when model_output_scale ≠ 0). */
    public Denoiser denoiser(Backbone backbone) {
        return (noisy, times, conditioning) -> {
            List<NDArray> out = backbone.forward(noisy, times, conditioning, false);
            if (settings.modelOutputScale() == 0) {
                return out;
            }
            List<NDArray> clipped = new ArrayList<>();
            for (NDArray o : out) {
                clipped.add(softClip(o));
            }
            return clipped;
        };
    }

    /**
     * x_T for sampling: N(0, I) at the top level (batch × channels × side × side), then an
     * independent draw for each lower level at its own size, in that order.
     */
    public List<NDArray> initialNoise(long batch, long channels, long side, NoiseSource noise, NDManager manager) {
        List<NDArray> x = new ArrayList<>();
        for (int scale : scales) {
            long ratio = scales.get(0) / scale;
            if (side % ratio != 0) {
                throw new MdmException("image side " + side + " is not divisible by " + ratio + " for level scales " + scales);
            }
            x.add(noise.normal(new Shape(batch, channels, side / ratio, side / ratio), manager));
        }
        return x;
    }

    /** Which examples of a training batch get the unconditional input ({@code condition_dropout}). */
    public boolean[] conditionDropout(int batch, HostRandom random) {
        return ConditionDropout.decide(batch, settings.conditionDropout(), random);
    }

    /**
     * Video models (fact sheet §2.8): the input is a mosaic of {@code tiles}×{@code tiles} frames, and
     * a level flagged here is made from the level above by keeping every (r²)-th frame at full spatial
     * resolution, r being the ratio of the two levels, instead of by area down-sampling. Flags are per
     * level, highest first (the first is ignored); images keep the default, all false.
     *
     * @return a new process; this one is unchanged
     */
    public MultiResolutionProcess withFramePyramid(List<Boolean> frameSubsampled, int tiles) {
        if (frameSubsampled.size() != scales.size()) {
            throw new IllegalArgumentException(frameSubsampled.size() + " frame flags for " + scales.size() + " levels");
        }
        return new MultiResolutionProcess(this, frameSubsampled, tiles);
    }

    /**
     * The clean image per level, highest first: level i is the box-filtered level i−1 (ml-mdm
     * avg_pool2d), or for a frame-subsampled video level, every (r²)-th frame of level i−1.
     */
    public List<NDArray> pyramid(NDArray images) {
        List<NDArray> out = new ArrayList<>();
        out.add(images);
        int t = tiles;
        for (int i = 1; i < scales.size(); i++) {
            int ratio = scales.get(i - 1) / scales.get(i);
            if (frameSubsampled.get(i)) {
                out.add(keepFrames(out.get(i - 1), t, ratio));
                t /= ratio;
            } else {
                out.add(AreaDownsample.apply(out.get(i - 1), ratio));
            }
        }
        return out;
    }

    /** A t×t mosaic → the (t/r)×(t/r) mosaic of its frames 0, r², 2r², … at full resolution. */
    private static NDArray keepFrames(NDArray mosaic, int t, int ratio) {
        if (t % ratio != 0) {
            throw new MdmException("a " + t + "×" + t + " frame mosaic cannot keep every " + (ratio * ratio)
                    + "th frame: the temporal level ratio must divide the mosaic side");
        }
        NDArray frames = Mosaic.frames(mosaic, t);
        NDArray kept = frames.get(new ai.djl.ndarray.index.NDIndex(":, ::{}", ratio * ratio));
        return Mosaic.fromFrames(kept, t / ratio);
    }

    private NDArray softClip(NDArray out) {
        double k = settings.modelOutputScale();
        return k == 0 ? out : Scalars.mul(Scalars.div(out, k).tanh(), k);
    }

    private static NDArray prefix(NDArray x, int n, int size) {
        return n == size ? x : x.get("0:" + n);
    }
}
