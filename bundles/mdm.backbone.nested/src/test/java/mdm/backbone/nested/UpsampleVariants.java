package mdm.backbone.nested;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2dTranspose;
import ai.djl.training.GradientCollector;
import java.util.function.Function;
import mdm.core.random.HostRandom;
import mdm.core.runtime.EngineRuntime;

/** Micro-benchmark of nearest ×2 upsampling formulations, forward+backward. Development aid. */
public final class UpsampleVariants {
    public static void main(String[] args) {
        int n = 32;
        int c = 64;
        int hw = 16;
        try (EngineRuntime rt = EngineRuntime.standalone(); NDManager base = rt.newManager()) {
            HostRandom r = new HostRandom(1);
            float[] x0 = r.normal(n * c * hw * hw);
            NDArray ones = base.ones(new Shape(c, 1, 2, 2));
            Function<NDArray, NDArray> interp = x -> x.getNDArrayInternal().interpolation(new long[] {2 * hw, 2 * hw}, 0, false);
            Function<NDArray, NDArray> expand = x -> x.reshape(n, c, hw, 1, hw, 1).broadcast(new Shape(n, c, hw, 2, hw, 2))
                    .reshape(n, c, 2 * hw, 2 * hw);
            Function<NDArray, NDArray> repeat = x -> x.repeat(2, 2).repeat(3, 2);
            Function<NDArray, NDArray> deconv = x -> Conv2dTranspose.conv2dTranspose(x, ones, null, new Shape(2, 2),
                    new Shape(0, 0), new Shape(0, 0), new Shape(1, 1), c).singletonOrThrow();
            for (int rep = 0; rep < 2; rep++) {
                run("interpolate", rt, x0, n, c, hw, interp);
                run("expand+reshape", rt, x0, n, c, hw, expand);
                run("repeat_interleave", rt, x0, n, c, hw, repeat);
                run("depthwise deconv", rt, x0, n, c, hw, deconv);
            }
        }
    }

    static void run(String name, EngineRuntime rt, float[] x0, int n, int c, int hw, Function<NDArray, NDArray> f) {
        double best = Double.MAX_VALUE;
        double bestF = Double.MAX_VALUE;
        for (int i = 0; i < 20; i++) {
            try (NDManager m = rt.newManager()) {
                NDArray x = m.create(x0, new Shape(n, c, hw, hw));
                NDArray g = m.ones(new Shape(n, c, 2 * hw, 2 * hw));
                long t0 = System.nanoTime();
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    x.setRequiresGradient(true);
                    NDArray y = f.apply(x);
                    y.getFloat(0, 0, 0, 0);
                    long t1 = System.nanoTime();
                    gc.backward(y.mul(g).sum());
                    try (NDArray gx = x.getGradient()) {
                        gx.getFloat(0, 0, 0, 0);
                    }
                    bestF = Math.min(bestF, (t1 - t0) / 1e6);
                }
                best = Math.min(best, (System.nanoTime() - t0) / 1e6);
            }
        }
        System.out.printf("%-18s fwd %6.2f ms  fwd+bwd %6.2f ms%n", name, bestF, best);
    }
}
