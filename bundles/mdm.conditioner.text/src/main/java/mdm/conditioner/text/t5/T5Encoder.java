package mdm.conditioner.text.t5;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import mdm.core.tensor.NativeArrays;
import mdm.core.tensor.Scalars;

/**
 * The encoder half of Hugging Face's T5 (and T5 v1.1 / flan-T5), frozen, in eval mode:
 * token embedding (no scaling) → per block: {@code x += SelfAttention(RMSNorm(x))} with the
 * relative position bias of block 0 shared by all blocks and no 1/√d logit scale, then
 * {@code x += FeedForward(RMSNorm(x))} → final RMSNorm. RMSNorm has no mean subtraction and no bias.
 * Padded keys are excluded from attention; the caller multiplies the output by the mask.
 */
public final class T5Encoder implements AutoCloseable {
    private final T5Config config;
    private final NDManager manager;
    private final NDArray embedding;
    private final NDArray relativeBias;
    private final List<Block> blocks;
    private final NDArray finalNorm;

    /** One block's weights; projections are transposed views, (in, out), for {@code x.matMul(w)}. */
    private record Block(NDArray attnNorm, NDArray q, NDArray k, NDArray v, NDArray o, NDArray ffNorm,
                         NDArray wi0, NDArray wi1, NDArray wo) {
    }

    private T5Encoder(T5Config config, NDManager manager, Map<String, NDArray> w, Path folder) {
        this.config = config;
        this.manager = manager;
        int d = config.dModel();
        int inner = config.innerDim();
        NDArray shared = w.containsKey("encoder.embed_tokens.weight") ? w.get("encoder.embed_tokens.weight") : w.get("shared.weight");
        if (shared == null) {
            throw new mdm.api.MdmException("T5 weights in " + folder + " have neither 'shared.weight' nor "
                    + "'encoder.embed_tokens.weight'.");
        }
        if (shared.getShape().get(1) != d) {
            throw new mdm.api.MdmException("T5 embedding in " + folder + " has shape " + shared.getShape()
                    + " but d_model is " + d + ".");
        }
        this.embedding = shared;
        String p0 = "encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight";
        this.relativeBias = T5Weights.take(w, p0, new Shape(config.relativeAttentionNumBuckets(), config.numHeads()), folder);
        this.blocks = new ArrayList<>();
        for (int i = 0; i < config.numLayers(); i++) {
            String b = "encoder.block." + i + ".layer.";
            String att = b + "0.SelfAttention.";
            String ff = b + "1.DenseReluDense.";
            NDArray wi0;
            NDArray wi1 = null;
            if (config.gated()) {
                wi0 = transposed(w, ff + "wi_0.weight", new Shape(config.dFf(), d), folder);
                wi1 = transposed(w, ff + "wi_1.weight", new Shape(config.dFf(), d), folder);
            } else {
                wi0 = transposed(w, ff + "wi.weight", new Shape(config.dFf(), d), folder);
            }
            blocks.add(new Block(
                    T5Weights.take(w, b + "0.layer_norm.weight", new Shape(d), folder),
                    transposed(w, att + "q.weight", new Shape(inner, d), folder),
                    transposed(w, att + "k.weight", new Shape(inner, d), folder),
                    transposed(w, att + "v.weight", new Shape(inner, d), folder),
                    transposed(w, att + "o.weight", new Shape(d, inner), folder),
                    T5Weights.take(w, b + "1.layer_norm.weight", new Shape(d), folder),
                    wi0, wi1,
                    transposed(w, ff + "wo.weight", new Shape(d, config.dFf()), folder)));
        }
        this.finalNorm = T5Weights.take(w, "encoder.final_layer_norm.weight", new Shape(d), folder);
    }

    /**
     * Loads the encoder from a Hugging Face model folder ({@code config.json} and safetensors or
     * {@code pytorch_model.bin}, single or sharded). Tensors live in a child of {@code parent}.
     */
    public static T5Encoder load(Path folder, NDManager parent) {
        T5Config config = T5Config.read(folder);
        NDManager manager = parent.newSubManager();
        try {
            Map<String, NDArray> weights = T5Weights.read(folder, manager);
            if (weights.containsKey("encoder.embed_tokens.weight") && weights.containsKey("shared.weight")) {
                weights.remove("shared.weight").close();
            }
            return new T5Encoder(config, manager, weights, folder);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    public T5Config config() {
        return config;
    }

    /**
     * Encodes token ids.
     *
     * @param ids  (B, L) int64
     * @param mask (B, L) float, 1 for tokens and 0 for padding
     * @return the last hidden state (B, L, d_model), float32, in {@code ids}' manager, pad rows
     *         <em>not</em> yet zeroed
     */
    public NDArray encode(NDArray ids, NDArray mask) {
        NDManager m = ids.getManager();
        int len = Math.toIntExact(ids.getShape().get(1));
        try (NDManager scope = m.newSubManager()) {
            NDArray x = ids.getNDArrayInternal().embedding(ids, embedding, SparseFormat.DENSE).singletonOrThrow();
            x.attach(scope);
            NDArray bias = attentionBias(scope, mask, len);
            for (Block b : blocks) {
                x = x.add(selfAttention(b, rmsNorm(x, b.attnNorm()), bias));
                x = x.add(feedForward(b, rmsNorm(x, b.ffNorm())));
            }
            NDArray out = rmsNorm(x, finalNorm);
            out.attach(m);
            return out;
        }
    }

    /** Position bias (1, H, L, L) plus −∞ at padded keys (B, 1, 1, L) → (B, H, L, L). */
    private NDArray attentionBias(NDManager scope, NDArray mask, int len) {
        NDArray buckets = NativeArrays.create(scope, RelativePositionBuckets.matrix(len,
                config.relativeAttentionNumBuckets(), config.relativeAttentionMaxDistance()), new Shape(len, len));
        NDArray position = buckets.getNDArrayInternal().embedding(buckets, relativeBias, SparseFormat.DENSE)
                .singletonOrThrow().transpose(2, 0, 1).expandDims(0);
        NDArray m = mask.toType(DataType.FLOAT32, true);
        m.attach(scope);
        NDArray keep = m.neq(Scalars.of(scope, 0));
        NDArray closed = scope.full(keep.getShape(), Float.NEGATIVE_INFINITY, DataType.FLOAT32);
        NDArray keys = NDArrays.where(keep, scope.zeros(keep.getShape(), DataType.FLOAT32), closed);
        long batch = mask.getShape().get(0);
        return position.add(keys.reshape(batch, 1, 1, len));
    }

    private NDArray selfAttention(Block b, NDArray x, NDArray bias) {
        Shape s = x.getShape();
        long batch = s.get(0);
        long len = s.get(1);
        int heads = config.numHeads();
        int dk = config.dKv();
        NDArray q = x.matMul(b.q()).reshape(batch, len, heads, dk).transpose(0, 2, 1, 3);
        NDArray k = x.matMul(b.k()).reshape(batch, len, heads, dk).transpose(0, 2, 3, 1);
        NDArray v = x.matMul(b.v()).reshape(batch, len, heads, dk).transpose(0, 2, 1, 3);
        NDArray weights = q.matMul(k).add(bias).softmax(-1);
        NDArray h = weights.matMul(v).transpose(0, 2, 1, 3).reshape(batch, len, config.innerDim());
        return h.matMul(b.o());
    }

    private NDArray feedForward(Block b, NDArray x) {
        NDArray h = activation(x.matMul(b.wi0()));
        if (b.wi1() != null) {
            h = h.mul(x.matMul(b.wi1()));
        }
        return h.matMul(b.wo());
    }

    private NDArray activation(NDArray x) {
        return switch (config.activation()) {
            case RELU -> ai.djl.nn.Activation.relu(x);
            case GELU_ERF -> ai.djl.nn.Activation.gelu(x);
            case GELU_TANH -> geluTanh(x);
            case SILU -> x.mul(ai.djl.nn.Activation.sigmoid(x));
        };
    }

    /** HF "gelu_new": 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). */
    private static NDArray geluTanh(NDArray x) {
        NDManager m = x.getManager();
        NDArray inner = x.add(x.pow(Scalars.of(m, 3)).mul(Scalars.of(m, 0.044715)))
                .mul(Scalars.of(m, Math.sqrt(2.0 / Math.PI)));
        return x.mul(Scalars.of(m, 0.5)).mul(inner.tanh().add(Scalars.of(m, 1)));
    }

    /** T5LayerNorm: x / √(mean(x²) + ε) · w, statistics in float32, no mean subtraction, no bias. */
    private NDArray rmsNorm(NDArray x, NDArray weight) {
        NDManager m = x.getManager();
        NDArray variance = x.square().mean(new int[] {-1}, true);
        return x.div(variance.add(Scalars.of(m, config.layerNormEpsilon())).sqrt()).mul(weight);
    }

    private NDArray transposed(Map<String, NDArray> w, String key, Shape shape, Path folder) {
        // a strided view: matmul reads it as a transposed operand, no copy
        return T5Weights.take(w, key, shape, folder).transpose();
    }

    @Override
    public void close() {
        manager.close();
    }
}
