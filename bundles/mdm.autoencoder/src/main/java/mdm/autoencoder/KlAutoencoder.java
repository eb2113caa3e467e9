package mdm.autoencoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import mdm.api.MdmException;
import mdm.api.diffusion.NoiseSource;
import mdm.core.tensor.Activations;
import mdm.core.tensor.Resize;
import mdm.core.tensor.Scalars;
import mdm.nn.ConvLayer;
import mdm.nn.NormLayer;
import mdm.nn.ParamStore;
import mdm.nn.Params;

/**
 * LDM's KL autoencoder in small: an encoder of residual blocks with stride-2 convolutions between
 * resolutions, giving the mean and log-variance of a diagonal Gaussian posterior over a latent of
 * {@code latent_channels} × side/f × side/f; a mirrored decoder with nearest-neighbour
 * up-sampling. The objective is reconstruction (L1 or L2, per element) plus {@code kl_weight} times
 * the KL divergence to N(0, I), summed over the latent and divided by the
 * number of image elements, so the ratio of the two terms is LDM's (which sums both per image).
 */
public final class KlAutoencoder implements AutoCloseable {
    private final AutoencoderConfig config;
    private final NDManager manager;
    private final ParamStore store;
    private final ConvLayer encIn;
    private final List<Block> encBlocks = new ArrayList<>();
    private final List<ConvLayer> downs = new ArrayList<>();
    private final NormLayer encNorm;
    private final ConvLayer encOut;
    private final ConvLayer decIn;
    private final List<Block> decBlocks = new ArrayList<>();
    private final List<ConvLayer> ups = new ArrayList<>();
    private final NormLayer decNorm;
    private final ConvLayer decOut;

    public KlAutoencoder(AutoencoderConfig config, NDManager parent, long seed) {
        this.config = config;
        this.manager = parent.newSubManager();
        this.store = ParamStore.allocating(manager, seed);
        Params root = store.root();
        List<Integer> ch = config.channels();
        int n = ch.size();
        Params enc = root.child("encoder");
        encIn = ConvLayer.conv2d(enc.child("conv_in"), 3, ch.get(0), 3, 1, false);
        long c = ch.get(0);
        for (int i = 0; i < n; i++) {
            encBlocks.add(new Block(enc.child("down").child(i).child("block"), c, ch.get(i)));
            c = ch.get(i);
            if (i < n - 1) {
                downs.add(ConvLayer.conv2d(enc.child("down").child(i).child("downsample"), c, c, 3, 2, false));
            }
        }
        encNorm = new NormLayer(enc.child("norm_out"), c);
        encOut = ConvLayer.conv2d(enc.child("conv_out"), c, 2L * config.latentChannels(), 3, 1, false);
        Params dec = root.child("decoder");
        decIn = ConvLayer.conv2d(dec.child("conv_in"), config.latentChannels(), c, 3, 1, false);
        for (int i = n - 1; i >= 0; i--) {
            decBlocks.add(new Block(dec.child("up").child(i).child("block"), c, ch.get(i)));
            c = ch.get(i);
            if (i > 0) {
                ups.add(ConvLayer.conv2d(dec.child("up").child(i).child("upsample"), c, c, 3, 1, false));
            }
        }
        decNorm = new NormLayer(dec.child("norm_out"), c);
        decOut = ConvLayer.conv2d(dec.child("conv_out"), c, 3, 3, 1, false);
    }

    public AutoencoderConfig config() {
        return config;
    }

    /** Parameters by name (encoder.*, decoder.*). */
    public Map<String, NDArray> parameters() {
        return store.arrays();
    }

    /** The posterior's mean and log-variance (clamped to [−30, 20], as LDM does), each N × z × h/f × w/f. */
    public NDArray[] posterior(NDArray images) {
        check(images);
        NDArray x = encIn.forward(images);
        for (int i = 0; i < encBlocks.size(); i++) {
            x = encBlocks.get(i).forward(x, config.groups());
            if (i < downs.size()) {
                x = downs.get(i).forward(x);
            }
        }
        x = encOut.forward(Activations.silu(encNorm.groupNorm(x, config.groups())));
        NDList parts = x.split(2, 1);
        NDArray logvar = parts.get(1).clip(-30f, 20f);
        return new NDArray[] {parts.get(0), logvar};
    }

    /** A draw from the posterior: mean + exp(logvar / 2)·ε. */
    public NDArray sample(NDArray[] posterior, NoiseSource normal) {
        NDArray eps = normal.normal(posterior[0].getShape(), posterior[0].getManager());
        return posterior[0].add(Scalars.mul(posterior[1], 0.5).exp().mul(eps));
    }

    public NDArray decode(NDArray z) {
        NDArray x = decIn.forward(z);
        for (int i = 0; i < decBlocks.size(); i++) {
            x = decBlocks.get(i).forward(x, config.groups());
            if (i < ups.size()) {
                x = ups.get(i).forward(Resize.nearest2x(x));
            }
        }
        return decOut.forward(Activations.silu(decNorm.groupNorm(x, config.groups())));
    }

    /** Reconstruction of a batch through a posterior draw. */
    public NDArray reconstruct(NDArray images, NoiseSource normal) {
        return decode(sample(posterior(images), normal));
    }

    /** {@code loss} = reconstruction + kl_weight · KL, with both parts ("reconstruction", "kl") as scalars. */
    public Map<String, NDArray> loss(NDArray images, NoiseSource normal) {
        NDArray[] post = posterior(images);
        NDArray recon = decode(sample(post, normal));
        NDArray diff = recon.sub(images);
        NDArray rec = config.loss().equals("l1") ? diff.abs().mean() : diff.square().mean();
        // KL(N(μ, σ²) ‖ N(0, 1)) = ½ Σ (μ² + σ² − 1 − log σ²), summed over the latent, per image element
        NDArray kl = post[0].square().add(post[1].exp()).sub(Scalars.of(images.getManager(), 1.0)).sub(post[1]).sum();
        long elements = images.getShape().size();
        NDArray klPerElement = Scalars.mul(kl, 0.5 / elements);
        Map<String, NDArray> out = new LinkedHashMap<>();
        out.put("loss", rec.add(Scalars.mul(klPerElement, config.klWeight())));
        out.put("reconstruction", rec);
        out.put("kl", klPerElement);
        return out;
    }

    private void check(NDArray images) {
        Shape s = images.getShape();
        if (s.dimension() != 4 || s.get(1) != 3 || s.get(2) % config.factor() != 0 || s.get(3) % config.factor() != 0) {
            throw new MdmException("the autoencoder takes N×3×H×W images with sides divisible by its factor "
                    + config.factor() + ", got " + s);
        }
    }

    @Override
    public void close() {
        manager.close();
    }

    /** A residual block: GroupNorm, SiLU, 3×3 convolution, twice, plus a 1×1 skip when the width changes. */
    private static final class Block {
        final NormLayer norm1;
        final ConvLayer conv1;
        final NormLayer norm2;
        final ConvLayer conv2;
        final ConvLayer skip;

        Block(Params p, long in, long out) {
            norm1 = new NormLayer(p.child("norm1"), in);
            conv1 = ConvLayer.conv2d(p.child("conv1"), in, out, 3, 1, false);
            norm2 = new NormLayer(p.child("norm2"), out);
            conv2 = ConvLayer.conv2d(p.child("conv2"), out, out, 3, 1, true);
            skip = in == out ? null : ConvLayer.conv2d(p.child("nin_shortcut"), in, out, 1, 1, false);
        }

        NDArray forward(NDArray x, int groups) {
            NDArray h = conv1.forward(Activations.silu(norm1.groupNorm(x, groups)));
            h = conv2.forward(Activations.silu(norm2.groupNorm(h, groups)));
            return (skip == null ? x : skip.forward(x)).add(h);
        }
    }
}
