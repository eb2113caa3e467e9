package mdm.conditioner.label;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.Map;
import mdm.api.MdmException;
import mdm.api.conditioning.Conditioner;
import mdm.api.data.Sample;
import mdm.api.model.Conditioning;
import mdm.core.tensor.NativeArrays;

/**
 * Class labels in the reference's categorical form ({@code F.one_hot(label).unsqueeze(1)}, as in
 * the {@code class} case of the fixtures): one token per sample, one-hot over {@code width}
 * columns, no mask (the reference's categorical branch returns {@code lm_mask = None}). A dropped
 * or unconditional sample gets the null label ({@link NullLabel}). Nothing is learned here: the
 * backbone's conditioning layers learn what a label means.
 */
public final class ClassConditioner implements Conditioner {
    private final int classes;
    private final int width;
    private final NullLabel nullLabel;
    private final List<String> names;

    /**
     * @param names class names (for messages); their count is the number of classes
     * @param width token width, at least the number of classes (+1 for {@link NullLabel#EXTRA})
     */
    public ClassConditioner(List<String> names, int width, NullLabel nullLabel) {
        this.names = List.copyOf(names);
        this.classes = names.size();
        this.width = width;
        this.nullLabel = nullLabel;
        int needed = minimumWidth(classes, nullLabel);
        if (width < needed) {
            throw new MdmException("class conditioner: width " + width + " is too small for " + classes + " classes"
                    + (nullLabel == NullLabel.EXTRA ? " plus the extra null column" : "") + "; use at least " + needed + ".");
        }
    }

    public static int minimumWidth(int classes, NullLabel nullLabel) {
        return classes + (nullLabel == NullLabel.EXTRA ? 1 : 0);
    }

    /** The column of the null label, or −1 for the all-zero token. */
    public int nullColumn() {
        return nullLabel == NullLabel.EXTRA ? classes : -1;
    }

    @Override
    public int featureDim() {
        return width;
    }

    @Override
    public Conditioning encode(List<Sample> batch, boolean[] unconditional, boolean training, NDManager manager) {
        float[] onehot = new float[batch.size() * width];
        for (int i = 0; i < batch.size(); i++) {
            int column = unconditional != null && unconditional[i] ? nullColumn() : label(batch.get(i));
            if (column >= 0) {
                onehot[i * width + column] = 1f;
            }
        }
        return new Conditioning(NativeArrays.create(manager, onehot, new Shape(batch.size(), 1, width)), null, null);
    }

    @Override
    public Conditioning unconditional(int n, NDManager manager) {
        float[] onehot = new float[n * width];
        if (nullColumn() >= 0) {
            for (int i = 0; i < n; i++) {
                onehot[i * width + nullColumn()] = 1f;
            }
        }
        return new Conditioning(NativeArrays.create(manager, onehot, new Shape(n, 1, width)), null, null);
    }

    /** Only the label: a class model follows the label alone. */
    @Override
    public Sample conditionOf(Sample sample) {
        return Sample.condition(sample.label(), null);
    }

    @Override
    public Map<String, NDArray> parameters() {
        return Map.of();
    }

    @Override
    public void close() {
        // holds no tensors
    }

    private int label(Sample s) {
        if (!s.hasLabel()) {
            throw new MdmException("sample " + (s.id() == null ? "(no id)" : "'" + s.id() + "'")
                    + " has no class label; the class conditioner needs labelled data (or use t5 / learned-text for captions).");
        }
        if (s.label() >= classes) {
            throw new MdmException("sample " + (s.id() == null ? "(no id)" : "'" + s.id() + "'") + " has label " + s.label()
                    + " but the data has " + classes + " classes (0.." + (classes - 1) + (classes > 0 ? ": " + names : "") + ").");
        }
        return s.label();
    }
}
