package mdm.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import mdm.api.MdmException;
import mdm.api.model.Conditioning;
import mdm.core.tensor.Scalars;

/**
 * Classifier-free guidance as ml-mdm does it (§4.4): the unconditional and conditional inputs are
 * batched into one forward pass, the first half unconditional and the second conditional, and the
 * guided output is out_u + w·(out_c − out_u), applied to the raw output of every level.
 */
public final class Guidance {
    private Guidance() {
    }

    /**
     * [unconditional; conditional] along the batch. Token sequences of different length are padded
     * with zero rows and mask 0 (a conditioner that pads both to the same length, as the reference
     * does when it tokenises [negative, prompt] together, needs no padding).
     */
    public static Conditioning batch(Conditioning unconditional, Conditioning conditional) {
        if (unconditional.tokens() == null || conditional.tokens() == null) {
            throw new MdmException("classifier-free guidance needs token features in both the conditional and the"
                    + " unconditional input");
        }
        if (unconditional.batchSize() != conditional.batchSize()) {
            throw new MdmException("the unconditional input has batch " + unconditional.batchSize()
                    + " but the conditional one " + conditional.batchSize() + ": give one unconditional row per sample");
        }
        long length = Math.max(unconditional.tokens().getShape().get(1), conditional.tokens().getShape().get(1));
        NDArray tokens = pad(unconditional.tokens(), length).concat(pad(conditional.tokens(), length));
        NDArray mask = null;
        if (unconditional.mask() != null || conditional.mask() != null) {
            mask = pad(maskOf(unconditional), length).concat(pad(maskOf(conditional), length));
        }
        if (!unconditional.micros().keySet().equals(conditional.micros().keySet())) {
            throw new MdmException("the conditional and unconditional inputs have different micro-conditioning keys "
                    + conditional.micros().keySet() + " vs " + unconditional.micros().keySet());
        }
        Map<String, NDArray> micros = new HashMap<>();
        for (Map.Entry<String, NDArray> e : unconditional.micros().entrySet()) {
            micros.put(e.getKey(), e.getValue().concat(conditional.micros().get(e.getKey())));
        }
        return new Conditioning(tokens, mask, micros);
    }

    /** Every level's guided output from the outputs of the doubled batch. */
    public static List<NDArray> combine(List<NDArray> doubled, double weight) {
        return doubled.stream().map(out -> {
            long half = out.getShape().get(0) / 2;
            NDArray uncond = out.get("0:" + half);
            NDArray cond = out.get(half + ":");
            return uncond.add(Scalars.mul(cond.sub(uncond), weight));
        }).toList();
    }

    /** Each level's x_t twice along the batch, for the doubled forward pass. */
    public static List<NDArray> duplicate(List<NDArray> xs) {
        return xs.stream().map(x -> x.concat(x)).toList();
    }

    private static NDArray maskOf(Conditioning c) {
        Shape s = c.tokens().getShape();
        return c.mask() != null ? c.mask() : c.tokens().getManager().ones(new Shape(s.get(0), s.get(1)));
    }

    private static NDArray pad(NDArray x, long length) {
        long have = x.getShape().get(1);
        if (have == length) {
            return x;
        }
        long[] dims = x.getShape().getShape().clone();
        dims[1] = length - have;
        return x.concat(x.getManager().zeros(new Shape(dims), x.getDataType()), 1);
    }
}
