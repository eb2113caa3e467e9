package mdm.conditioner.frames;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import mdm.api.conditioning.Conditioner;
import mdm.api.data.Sample;
import mdm.api.model.Conditioning;
import mdm.core.tensor.NativeArrays;
import mdm.core.tensor.Scalars;
import mdm.nn.LinearLayer;
import mdm.nn.NormLayer;
import mdm.nn.ParamStore;
import mdm.nn.Params;
import mdm.nn.SelfAttention1DBlock;

/**
 * Conditions a video model on given frames through cross-attention: each chosen frame is cut into
 * grid × grid patches, a learned linear patch embedding plus a learned position embedding (per
 * frame and patch) makes one token per patch, then LayerNorm and optionally a few
 * {@link SelfAttention1DBlock}s. Cross-attention tokens leave the backbone's fixed 3-channel input
 * untouched, which concatenated channels would not. The unconditional input is a learned null
 * embedding in place of every patch embedding (a zero frame would be a real, uniformly grey
 * frame). All tokens are real: the mask is all ones.
 * Parameter names: {@code patch.*}, {@code position_embedding.weight}, {@code null_embedding.weight},
 * {@code norm.*}, {@code blocks.N.*}.
 */
public final class FramesConditioner implements Conditioner {
    private final FramePatches patches;
    private final NDManager parameterManager;
    private final ParamStore store;
    private final LinearLayer patch;
    private final NDArray position;
    private final NDArray nullEmbedding;
    private final NormLayer norm;
    private final List<SelfAttention1DBlock> blocks = new ArrayList<>();
    private final int dim;

    /** @param parameters holds the parameters; closed with the conditioner */
    public FramesConditioner(FramePatches patches, int dim, int layers, int heads, NDManager parameters, long seed) {
        this.patches = patches;
        this.dim = dim;
        this.parameterManager = parameters;
        this.store = ParamStore.allocating(parameters, seed);
        Params root = store.root();
        this.patch = new LinearLayer(root.child("patch"), patches.patchValues(), dim, true, false);
        ParamStore.Init unit = new ParamStore.Init(ParamStore.Init.Kind.UNIFORM, Math.sqrt(3));
        this.position = root.child("position_embedding").tensor("weight", new Shape(patches.tokens(), dim), unit);
        this.nullEmbedding = root.child("null_embedding").tensor("weight", new Shape(dim), unit);
        this.norm = new NormLayer(root.child("norm"), dim);
        for (int i = 0; i < layers; i++) {
            blocks.add(new SelfAttention1DBlock(root.child("blocks").child(i), dim, heads, 4));
        }
    }

    @Override
    public int featureDim() {
        return dim;
    }

    @Override
    public Conditioning encode(List<Sample> batch, boolean[] unconditional, boolean training, NDManager manager) {
        int b = batch.size();
        int n = patches.tokens();
        NDArray pixels = NativeArrays.create(manager, patches.extract(batch, unconditional), new Shape(b, n, patches.patchValues()));
        NDArray x = patch.forward(pixels);
        if (unconditional != null) {
            float[] flags = new float[b];
            for (int i = 0; i < b; i++) {
                flags[i] = unconditional[i] ? 1f : 0f;
            }
            NDArray u = NativeArrays.create(manager, flags, new Shape(b, 1, 1));
            NDArray keep = Scalars.of(manager, 1).sub(u);
            // every token of a dropped sample becomes the null embedding (broadcast from the step's side)
            NDArray nulls = u.mul(nullEmbedding);
            x = x.mul(keep).add(nulls);
        }
        NDArray ids = manager.arange(0, n, 1, DataType.INT64);
        NDArray place = ids.getNDArrayInternal().embedding(ids, position, ai.djl.ndarray.types.SparseFormat.DENSE)
                .singletonOrThrow();
        x = norm.layerNorm(x.add(place));
        for (SelfAttention1DBlock block : blocks) {
            x = block.forwardWithBias(x, null);
        }
        return new Conditioning(x, manager.ones(new Shape(b, n)), null);
    }

    @Override
    public Conditioning unconditional(int n, NDManager manager) {
        boolean[] all = new boolean[n];
        java.util.Arrays.fill(all, true);
        return encode(java.util.Collections.nCopies(n, Sample.condition(-1, null)), all, false, manager);
    }

    @Override
    public Map<String, NDArray> parameters() {
        return store.arrays();
    }

    @Override
    public void close() {
        parameterManager.close();
    }
}
