package mdm.conditioner.text.learned;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import mdm.core.tensor.Attention;
import mdm.nn.NormLayer;
import mdm.nn.ParamStore;
import mdm.nn.Params;
import mdm.nn.SelfAttention1DBlock;

/**
 * A small transformer text encoder trained with the backbone: token embedding + learned absolute
 * position embedding → {@code layers} × {@link SelfAttention1DBlock} (masked self-attention and
 * MLP, zero-initialised outputs as in ml-mdm) → LayerNorm → × mask. Positions matter ("red circle
 * left of a blue square"), which the 1-D blocks alone would not see without rotary embedding.
 * Parameter names: {@code token_embedding.weight}, {@code position_embedding.weight},
 * {@code blocks.N.attn.*}, {@code blocks.N.mlp.main.*}, {@code norm.*}.
 */
public final class LearnedTextEncoder {
    private final ParamStore store;
    private final NDArray tokenEmbedding;
    private final NDArray positionEmbedding;
    private final List<SelfAttention1DBlock> blocks = new ArrayList<>();
    private final NormLayer norm;
    private final int maxLength;

    /**
     * @param vocabulary token ids are below this
     * @param maxLength  longest token row (max_token_length)
     */
    public LearnedTextEncoder(NDManager manager, long seed, int vocabulary, int maxLength, int dim, int layers, int heads) {
        this.store = ParamStore.allocating(manager, seed);
        this.maxLength = maxLength;
        Params root = store.root();
        // unit variance, like nn.Embedding's N(0, 1)
        ParamStore.Init unit = new ParamStore.Init(ParamStore.Init.Kind.UNIFORM, Math.sqrt(3));
        this.tokenEmbedding = root.child("token_embedding").tensor("weight", new Shape(vocabulary, dim), unit);
        this.positionEmbedding = root.child("position_embedding").tensor("weight", new Shape(maxLength, dim), unit);
        for (int i = 0; i < layers; i++) {
            blocks.add(new SelfAttention1DBlock(root.child("blocks").child(i), dim, heads, 4));
        }
        this.norm = new NormLayer(root.child("norm"), dim);
    }

    /** Parameters by name, in registration order. */
    public Map<String, NDArray> parameters() {
        return store.arrays();
    }

    /**
     * @param ids  (B, L) int64, L ≤ max length
     * @param mask (B, L) float 1/0
     * @return (B, L, D) in {@code ids}' manager, padded rows zero
     */
    public NDArray forward(NDArray ids, NDArray mask) {
        long len = ids.getShape().get(1);
        if (len > maxLength) {
            throw new IllegalArgumentException(len + " tokens, but the position table holds " + maxLength);
        }
        NDManager m = ids.getManager();
        NDArray positions = m.arange(0, (int) len, 1, DataType.INT64);
        // lookups called on the step's arrays, so results (and their graph) live in the step's manager
        NDArray tokens = ids.getNDArrayInternal().embedding(ids, tokenEmbedding, SparseFormat.DENSE).singletonOrThrow();
        NDArray place = positions.getNDArrayInternal().embedding(positions, positionEmbedding, SparseFormat.DENSE)
                .singletonOrThrow();
        NDArray x = tokens.add(place);
        NDArray bias = Attention.maskBias(mask, 1, false);
        for (SelfAttention1DBlock block : blocks) {
            x = block.forwardWithBias(x, bias);
        }
        return norm.layerNorm(x).mul(mask.expandDims(-1));
    }
}
