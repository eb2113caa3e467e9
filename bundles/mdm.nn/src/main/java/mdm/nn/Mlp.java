package mdm.nn;

import ai.djl.ndarray.NDArray;
import mdm.core.tensor.Activations;

/** {@code x + Linear_zero(GELU(Linear(LayerNorm(x))))} over the last axis (ml-mdm {@code MLP}; names {@code main.0/1/3}). */
public final class Mlp {
    private final NormLayer norm;
    private final LinearLayer up;
    private final LinearLayer down;

    public Mlp(Params p, long channels, int multiplier) {
        Params main = p.child("main");
        this.norm = new NormLayer(main.child(0), channels);
        this.up = new LinearLayer(main.child(1), channels, multiplier * channels, true, false);
        this.down = new LinearLayer(main.child(3), multiplier * channels, channels, true, true);
    }

    public NDArray forward(NDArray x) {
        NDArray normed = norm.layerNorm(x);
        NDArray a = up.forward(normed);
        normed.close();
        NDArray g = Activations.gelu(a);
        a.close();
        NDArray d = down.forward(g);
        g.close();
        NDArray out = x.add(d);
        d.close();
        return out;
    }
}
