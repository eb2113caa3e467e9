package mdm.backbone.nested;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.GradientCollector;
import mdm.core.random.HostRandom;
import mdm.core.runtime.EngineRuntime;

/** Micro-benchmark: 3×3 convolution fwd+bwd on NCHW vs channels-last tensors. Development aid. */
public final class ConvLayouts {
    public static void main(String[] args) {
        int n = 32;
        int c = args.length > 0 ? Integer.parseInt(args[0]) : 32;
        int hw = args.length > 1 ? Integer.parseInt(args[1]) : 32;
        try (EngineRuntime rt = EngineRuntime.standalone(); NDManager base = rt.newManager()) {
            HostRandom r = new HostRandom(1);
            NDArray w = base.create(r.normal(c * c * 9), new Shape(c, c, 3, 3));
            NDArray b = base.create(r.normal(c));
            w.setRequiresGradient(true);
            b.setRequiresGradient(true);
            NDArray x0 = base.create(r.normal(n * c * hw * hw), new Shape(n, c, hw, hw));
            for (int rep = 0; rep < 2; rep++) {
                run("NCHW", rt, x0, w, b, false);
                run("channels-last", rt, x0, w, b, true);
            }
        }
    }

    static void run(String name, EngineRuntime rt, NDArray x0, NDArray w, NDArray b, boolean nhwc) {
        double best = Double.MAX_VALUE;
        double bestF = Double.MAX_VALUE;
        for (int i = 0; i < 20; i++) {
            try (NDManager m = rt.newManager()) {
                NDArray src = m.create(x0.toFloatArray(), x0.getShape());
                NDArray x = nhwc ? src.transpose(0, 2, 3, 1).duplicate().transpose(0, 3, 1, 2) : src;
                long t0 = System.nanoTime();
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    x.setRequiresGradient(true);
                    NDArray y = x;
                    for (int k = 0; k < 4; k++) {
                        y = Conv2d.conv2d(y, w, b, new Shape(1, 1), new Shape(1, 1), new Shape(1, 1), 1).singletonOrThrow();
                    }
                    y.getFloat(0, 0, 0, 0);
                    long t1 = System.nanoTime();
                    gc.backward(y.sum());
                    try (NDArray g = x.getGradient()) {
                        g.getFloat(0, 0, 0, 0);
                    }
                    try (NDArray g = w.getGradient()) {
                        g.subi(g);
                    }
                    bestF = Math.min(bestF, (t1 - t0) / 1e6);
                }
                best = Math.min(best, (System.nanoTime() - t0) / 1e6);
            }
        }
        System.out.printf("%-14s 4 convs: fwd %6.2f ms  fwd+bwd %6.2f ms%n", name, bestF, best);
    }
}
