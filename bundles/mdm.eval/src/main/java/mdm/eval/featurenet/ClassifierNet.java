package mdm.eval.featurenet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.pooling.Pool;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import mdm.nn.ConvLayer;
import mdm.nn.LinearLayer;
import mdm.nn.NormLayer;
import mdm.nn.Params;

/**
 * The small CNN every built-in feature network is: stages of 3×3 convolution → GroupNorm → ReLU,
 * each stage ending in 2× max pooling; global average pooling; a linear layer → ReLU whose output
 * is the feature vector (the penultimate layer); one linear classifier per head. GroupNorm rather
 * than BatchNorm keeps an image's features independent of the batch it is embedded in.
 */
public final class ClassifierNet {
    public record Output(NDArray features, Map<String, NDArray> logits) {
    }

    private record Conv(ConvLayer conv, NormLayer norm, int groups) {
    }

    private final List<List<Conv>> stages = new ArrayList<>();
    private final LinearLayer embed;
    private final Map<String, LinearLayer> heads = new LinkedHashMap<>();

    public ClassifierNet(FeatureNetSpec.Network n, Heads h, Params p) {
        long in = n.channels();
        for (int s = 0; s < n.stages().size(); s++) {
            FeatureNetSpec.Network.Stage st = n.stages().get(s);
            List<Conv> convs = new ArrayList<>();
            int count = st.convs() == null ? 1 : st.convs();
            for (int c = 0; c < count; c++) {
                Params cp = p.child("stages").child(s).child(c);
                convs.add(new Conv(ConvLayer.conv2d(cp.child("conv"), in, st.width(), 3, 1, false),
                        new NormLayer(cp.child("norm"), st.width()), Math.min(8, st.width() / 4)));
                in = st.width();
            }
            stages.add(convs);
        }
        this.embed = new LinearLayer(p.child("embed"), in, n.features(), true, false);
        for (Heads.Head head : h.list()) {
            heads.put(head.name(), new LinearLayer(p.child("heads").child(head.name()), n.features(),
                    head.classes().size(), true, false));
        }
    }

    /** @param x images (N, C, S, S) in [-1, 1] */
    public Output forward(NDArray x) {
        NDArray h = x;
        for (List<Conv> stage : stages) {
            for (Conv c : stage) {
                h = Activation.relu(c.norm().groupNorm(c.conv().forward(h), c.groups()));
            }
            h = Pool.maxPool2d(h, new Shape(2, 2), new Shape(2, 2), new Shape(0, 0), false);
        }
        Shape s = h.getShape();
        NDArray pooled = h.reshape(s.get(0), s.get(1), s.get(2) * s.get(3)).mean(new int[] {2});
        NDArray features = Activation.relu(embed.forward(pooled));
        Map<String, NDArray> logits = new LinkedHashMap<>();
        heads.forEach((name, layer) -> logits.put(name, layer.forward(features)));
        return new Output(features, logits);
    }
}
