package mdm.nn.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import mdm.nn.ConvLayer;
import mdm.nn.CrossInput;
import mdm.nn.Forward;
import mdm.nn.LinearLayer;
import mdm.nn.MicroConditioning;
import mdm.nn.NormLayer;
import mdm.nn.Params;
import mdm.nn.ResNetStage;
import mdm.nn.ResNetStage.ResNetSpec;
import mdm.nn.SelfAttention1DBlock;
import mdm.nn.SpatialPositionEncoding;
import mdm.nn.TimeEmbedding;
import mdm.core.tensor.Activations;
import mdm.core.tensor.Attention;
import mdm.core.tensor.Mosaic;
import mdm.core.tensor.Scalars;

/**
 * One level of a UNet or NestedUNet (ml-mdm {@code UNet} / {@code NestedUNet}), built from its
 * {@link UNetConfig} with the reference's state-dict names and registration order. A nested level
 * owns its time embedding, micro-conditioning, input/output layers, down and up stages and the
 * adapters, and runs its {@code inner_unet} at the resolution its down path reaches; text
 * conditioning lives in the innermost level and is shared by all.
 *
 * <p>Departures from the reference where it is broken: {@code skip_inner_unet_input} runs the inner
 * level on its own input only (the reference adds None and crashes); with
 * {@code temporal_spatial_ds} the temporal attention blocks are built (the reference uses them but
 * never creates them); spatial cross-attention in a video level repeats each sample's tokens for its
 * tiles (the reference's shapes do not match there).
 */
public final class UNetLevel {
    private final UNetConfig config;
    private final String prefix;
    private final int temporalDim;
    private final int condDim;
    private final List<Integer> nestRatio;

    private final TimeEmbedding time;
    private final LinearLayer condEmb;
    private final MicroConditioning micro;
    private final ConvLayer convIn;
    private final NormLayer normOut;
    private final ConvLayer convOut;
    private final List<ResNetStage> down = new ArrayList<>();
    private final List<ResNetStage> mid = new ArrayList<>();
    private final List<ResNetStage> up = new ArrayList<>();
    private final LinearLayer lmProj;
    private final List<SelfAttention1DBlock> lmHead = new ArrayList<>();
    private final UNetLevel inner;
    private final ConvLayer inAdapter;
    private final ConvLayer outAdapter;
    private final SpatialPositionEncoding position;

    /**
     * @param inputCondDim width of the tokens this level receives (the top level's
     *                     {@code conditioning_feature_dim}; an inner level gets its outer's projected width)
     */
    public UNetLevel(Params p, UNetConfig c, int inputCondDim, int inChannels, int outChannels) {
        this.config = c;
        this.prefix = p.path().isEmpty() ? "" : p.path() + ".";
        this.temporalDim = c.effectiveTemporalDim();
        // ml-mdm overwrites conditioning_feature_dim with the projected width when a projection is configured
        this.condDim = inputCondDim > 0 && c.conditioningFeatureProjDim() > 0 ? c.conditioningFeatureProjDim() : inputCondDim;
        this.nestRatio = nestRatio(c);
        boolean textPath = condDim > 0 && !c.skipCondEmb();
        ResNetConfig rc = c.resnetConfig();
        int groups = rc.numGroupsNorm();
        List<Integer> ch = c.resolutionChannels();
        int n = ch.size();
        boolean temporalResample = c.isTemporal();

        this.time = new TimeEmbedding(p.child("temb_layer1"), p.child("temb_layer2"), temporalDim, false);
        this.condEmb = textPath ? new LinearLayer(p.child("cond_emb"), condDim, temporalDim, false, false) : null;
        Map<String, Double> micros = c.microDefaults();
        this.micro = micros.isEmpty() ? null : new MicroConditioning(p.child("cond_layers"), micros, temporalDim);
        this.convIn = ConvLayer.conv2d(p.child("conv_in"), inChannels, ch.get(0), 3, 1, false);
        this.normOut = new NormLayer(p.child("norm_out"), ch.get(0));
        this.convOut = ConvLayer.conv2d(p.child("conv_out"), ch.get(0), outChannels, 3, 1, true);

        List<Long> skipChannels = new ArrayList<>();
        long channels = ch.get(0);
        skipChannels.add(channels);
        Params dp = p.child("down_blocks");
        for (int i = 0; i < n; i++) {
            List<ResNetSpec> specs = new ArrayList<>();
            for (int j = 0; j < c.numResnetsPerResolution().get(i); j++) {
                specs.add(new ResNetSpec(channels, ch.get(i), groups, rc.dropout(), rc.useAttentionFfn()));
                channels = ch.get(i);
                skipChannels.add(channels);
            }
            if (i != n - 1) {
                skipChannels.add(channels);
            }
            down.add(new ResNetStage(dp.child(i), temporalDim, specs, c.attentionLayersAt(i),
                    c.attentionLevels().contains(i) ? condDim : -1,
                    i != n - 1 ? ResNetStage.Resample.DOWN : ResNetStage.Resample.NONE,
                    temporalResample, c.temporalAttentionLayersAt(i), c.temporalPositionalEncoding()));
        }
        if (!c.skipMidBlocks()) {
            Params mp = p.child("mid_blocks");
            ResNetSpec same = new ResNetSpec(channels, channels, groups, rc.dropout(), rc.useAttentionFfn());
            mid.add(new ResNetStage(mp.child(0), temporalDim, List.of(same), 1, condDim, ResNetStage.Resample.NONE,
                    false, 0, false));
            mid.add(new ResNetStage(mp.child(1), temporalDim, List.of(same), 0, -1, ResNetStage.Resample.NONE,
                    false, 0, false));
        }
        Params upp = p.child("up_blocks");
        for (int i = n - 1; i >= 0; i--) {
            List<ResNetSpec> specs = new ArrayList<>();
            for (int j = 0; j < c.numResnetsPerResolution().get(i) + 1; j++) {
                long in = channels + skipChannels.remove(skipChannels.size() - 1);
                specs.add(new ResNetSpec(in, ch.get(i), groups, rc.dropout(), rc.useAttentionFfn()));
                channels = ch.get(i);
            }
            up.add(new ResNetStage(upp.child(n - 1 - i), temporalDim, specs, c.attentionLayersAt(i),
                    c.attentionLevels().contains(i) ? condDim : -1,
                    i != 0 ? ResNetStage.Resample.UP : ResNetStage.Resample.NONE,
                    temporalResample, c.temporalAttentionLayersAt(i), c.temporalPositionalEncoding()));
        }
        if (textPath) {
            this.lmProj = c.conditioningFeatureProjDim() > 0
                    ? new LinearLayer(p.child("lm_proj"), inputCondDim, condDim, true, false) : null;
            Params hp = p.child("lm_head");
            for (int i = 0; i < c.numLmHeadLayers(); i++) {
                lmHead.add(new SelfAttention1DBlock(hp.child(i), condDim));
            }
        } else {
            this.lmProj = null;
        }
        if (c.isNested()) {
            UNetConfig ic = c.innerConfig();
            this.inner = new UNetLevel(p.child("inner_unet"), ic, condDim, inChannels, outChannels);
            long outer = ch.get(n - 1);
            long innerCh = ic.resolutionChannels().get(0);
            this.inAdapter = c.skipInnerUnetInput() ? null
                    : ConvLayer.conv2d(p.child("in_adapter"), outer, innerCh, 3, 1, true);
            this.outAdapter = ConvLayer.conv2d(p.child("out_adapter"), innerCh, outer, 3, 1, true);
            if (c.interpConditioning()) {
                // registered for state-dict compatibility; the reference never uses them
                new LinearLayer(p.child("interp_layer1"), temporalDim / 4, temporalDim, true, false);
                new LinearLayer(p.child("interp_layer2"), temporalDim, temporalDim, true, false);
            }
        } else {
            this.inner = null;
            this.inAdapter = null;
            this.outAdapter = null;
        }
        // last, so that a level without it draws every other parameter's initial values as before
        this.position = c.hasSpatialPositionalEncoding()
                ? new SpatialPositionEncoding(p.child("spatial_pos_emb"), ch.get(0)) : null;
    }

    /**
     * ml-mdm's {@code nest_ratio}: the spatial (or, for a video level, tile) reduction of each
     * nested level's down path, relative to the innermost level, outermost first; empty for a plain UNet.
     */
    public static List<Integer> nestRatio(UNetConfig c) {
        if (!c.isNested()) {
            return List.of();
        }
        int own = 1 << (c.levels() - 1);
        if (c.isTemporal()) {
            own = (int) Math.round(Math.sqrt(own));
        }
        List<Integer> innerRatio = nestRatio(c.innerConfig());
        List<Integer> out = new ArrayList<>();
        if (innerRatio.isEmpty()) {
            out.add(own);
        } else {
            out.add(own * innerRatio.get(0));
            out.addAll(innerRatio);
        }
        return out;
    }

    /** The processed text: the time-embedding term and what cross-attention attends to. */
    public record Conditioned(NDArray condEmb, CrossInput cross) {
    }

    /** The level's outputs (highest resolution first) and its final features before {@code norm_out}. */
    public record Result(List<NDArray> outputs, NDArray features) {
    }

    /** Conditioning width this level's layers use (after {@code lm_proj}). */
    public int condDim() {
        return condDim;
    }

    /**
     * The text-conditioning path (ml-mdm {@code forward_conditioning}), run by the innermost level:
     * lm_proj, lm_head, pooled mean (masked unless the mask is unused by a head), cond_emb.
     *
     * @param tokens (B, L, D)
     * @param mask   (B, L) or null
     */
    public Conditioned conditioning(Forward f, NDArray tokens, NDArray mask) {
        if (inner != null) {
            return inner.conditioning(f, tokens, mask);
        }
        if (condEmb == null) {
            throw new IllegalStateException(prefix + "cond_emb is absent (skip_cond_emb on the innermost level)");
        }
        boolean masked = config.maskedCrossAttention() != 0;
        NDArray c = tokens;
        if (config.conditioningFeatureProjDim() > 0) {
            c = f.record(prefix + "lm_proj", lmProj.forward(c));
        }
        NDArray m = mask == null ? null : mask.toType(ai.djl.ndarray.types.DataType.FLOAT32, false);
        NDArray headBias = masked && m != null && !lmHead.isEmpty() ? Attention.maskBias(m, 1, false) : null;
        for (SelfAttention1DBlock head : lmHead) {
            c = f.record(head.path(), head.forwardWithBias(c, headBias));
        }
        NDArray pooled;
        if (m == null || (!masked && !lmHead.isEmpty())) {
            pooled = c.mean(new int[] {1});
        } else {
            pooled = c.mul(m.expandDims(-1)).sum(new int[] {1}).div(m.sum(new int[] {1}, true));
        }
        NDArray emb = f.record(prefix + "cond_emb", condEmb.forward(pooled));
        return new Conditioned(emb, new CrossInput(c, masked ? m : null));
    }

    /**
     * The denoising pass (ml-mdm {@code forward_denoising}).
     *
     * @param xs       noisy inputs from this level inwards, highest resolution first
     * @param feature  the outer level's adapter output to add after {@code conv_in}, or null
     * @param times    (B_low) step indices
     * @param condEmb  (B_low, temporal_dim) or null
     * @param cross    token features for cross-attention, or null
     * @param micros   micro-conditioning values by key (B_low each)
     */
    public Result denoise(Forward f, List<NDArray> xs, NDArray feature, NDArray times, NDArray condEmb,
            CrossInput cross, Map<String, NDArray> micros) {
        NDArray temb = f.record(prefix + "temb_layer2", time.forward(times));
        if (condEmb != null) {
            temb = temb.add(condEmb);
        }
        if (micro != null) {
            temb = temb.add(micro.forward(f, temb.getManager(), temb.getShape().get(0), micros));
        }
        return inner == null
                ? denoisePlain(f, xs.get(0), feature, temb, cross)
                : denoiseNested(f, xs, feature, times, temb, condEmb, cross, micros);
    }

    private Result denoisePlain(Forward f, NDArray xt, NDArray feature, NDArray temb, CrossInput cross) {
        NDArray tembSilu = Activations.silu(temb);
        NDArray x = withPosition(f.record(prefix + "conv_in", convIn.forward(xt)));
        if (feature != null) {
            x = x.add(feature);
        }
        List<NDArray> skips = new ArrayList<>();
        x = downPath(f, x, tembSilu, cross, skips);
        if (!mid.isEmpty()) {
            x = mid.get(0).forward(f, x, tembSilu, null, cross).x();
            x = mid.get(1).forward(f, x, tembSilu, null, null).x();
        }
        x = upPath(f, x, tembSilu, cross, skips);
        return new Result(List.of(outputLayer(f, x)), x);
    }

    private Result denoiseNested(Forward f, List<NDArray> xs, NDArray feature, NDArray times, NDArray temb,
            NDArray condEmb, CrossInput cross, Map<String, NDArray> micros) {
        NDArray xt = xs.get(0);
        long bh = xt.getShape().get(0);
        long bl = xs.get(1).getShape().get(0);
        NDArray tembHigh = bh < bl ? temb.get("0:" + bh) : temb;
        NDArray tembSilu = Activations.silu(tembHigh);
        CrossInput crossHigh = cross == null ? null : cross.head(bh);
        int tilesIn = tilesIn();
        int tilesMid = tilesMid();

        NDArray x = inputLayer(f, xt, tilesIn);
        if (feature != null) {
            x = x.add(feature);
        }
        List<NDArray> skips = new ArrayList<>();
        NDArray xd = downPath(f, Mosaic.tilesToBatch(x, tilesIn), tembSilu, crossHigh, skips);
        x = Mosaic.batchToTiles(xd, tilesMid);

        NDArray innerFeature = null;
        if (inAdapter != null) {
            innerFeature = f.record(prefix + "in_adapter", inAdapter.forward(x));
            if (bh < bl) {
                Shape s = innerFeature.getShape();
                NDManager m = innerFeature.getManager();
                innerFeature = innerFeature.concat(m.zeros(new Shape(bl - bh, s.get(1), s.get(2), s.get(3))), 0);
            }
        }
        Result in = inner.denoise(f, xs.subList(1, xs.size()), innerFeature, times, condEmb, cross, micros);
        NDArray g = f.record(prefix + "out_adapter", outAdapter.forward(in.features()));
        x = x.add(bh < bl ? g.get("0:" + bh) : g);

        NDArray xu = upPath(f, Mosaic.tilesToBatch(x, tilesMid), tembSilu, crossHigh, skips);
        x = Mosaic.batchToTiles(xu, tilesIn);
        NDArray out = Mosaic.batchToTiles(outputLayer(f, Mosaic.tilesToBatch(x, tilesIn)), tilesIn);
        List<NDArray> outputs = new ArrayList<>();
        outputs.add(out);
        outputs.addAll(in.outputs());
        return new Result(outputs, x);
    }

    /** Tiles per side a video level works on at its input resolution (1 for images). */
    private int tilesIn() {
        if (!config.temporalMode()) {
            return 1;
        }
        return config.temporalSpatialDs() ? tilesMid() : nestRatio.get(0);
    }

    /** Tiles per side after the down path (the inner level's tiling). */
    private int tilesMid() {
        if (!config.temporalMode()) {
            return 1;
        }
        return nestRatio.size() > 1 ? nestRatio.get(1) : 1;
    }

    /** conv_in on each tile, after dividing each by its unbiased std unless skip_normalization. */
    private NDArray inputLayer(Forward f, NDArray xt, int tiles) {
        NDArray x = Mosaic.tilesToBatch(xt, tiles);
        if (!config.skipNormalization()) {
            x = x.div(unbiasedStd(x));
        }
        NDArray y = f.record(prefix + "conv_in", convIn.forward(x));
        return withPosition(Mosaic.batchToTiles(y, tiles));
    }

    /** conv_in's output plus the level's position encoding over its whole input grid, if it has one. */
    private NDArray withPosition(NDArray convIn) {
        return position == null ? convIn : position.forward(convIn);
    }

    private static NDArray unbiasedStd(NDArray x) {
        long b = x.getShape().get(0);
        NDArray flat = x.reshape(b, -1);
        long count = flat.getShape().get(1);
        NDArray centred = flat.sub(flat.mean(new int[] {1}, true));
        NDArray var = centred.mul(centred).sum(new int[] {1}, true).div(Scalars.of(x.getManager(), count - 1));
        return var.sqrt().reshape(b, 1, 1, 1);
    }

    private NDArray downPath(Forward f, NDArray x, NDArray tembSilu, CrossInput cross, List<NDArray> skips) {
        skips.add(x);
        for (int i = 0; i < down.size(); i++) {
            ResNetStage.Output o = down.get(i).forward(f, x, tembSilu, null,
                    config.attentionLevels().contains(i) ? cross : null);
            skips.addAll(o.activations());
            x = o.x();
        }
        return x;
    }

    private NDArray upPath(Forward f, NDArray x, NDArray tembSilu, CrossInput cross, List<NDArray> skips) {
        int n = config.levels();
        for (int i = 0; i < up.size(); i++) {
            int ri = n - 1 - i;
            int take = config.numResnetsPerResolution().get(ri) + 1;
            Deque<NDArray> mine = new ArrayDeque<>();
            for (int k = 0; k < take; k++) {
                mine.addLast(skips.remove(skips.size() - 1));
            }
            x = up.get(i).forward(f, x, tembSilu, mine, config.attentionLevels().contains(ri) ? cross : null).x();
        }
        return x;
    }

    private NDArray outputLayer(Forward f, NDArray x) {
        NDArray normed = f.record(prefix + "norm_out", normOut.groupNorm(x, config.resnetConfig().numGroupsNorm()));
        NDArray a = Activations.silu(normed);
        return f.record(prefix + "conv_out", convOut.forward(a));
    }

    public UNetConfig config() {
        return config;
    }

    /** The inner level, or null for a plain UNet level. */
    public UNetLevel inner() {
        return inner;
    }

    /** Key prefix of this level's parameters ("" for the outermost, then "inner_unet.", ...). */
    public String prefix() {
        return prefix;
    }

    public List<Integer> nestRatioList() {
        return nestRatio;
    }
}
