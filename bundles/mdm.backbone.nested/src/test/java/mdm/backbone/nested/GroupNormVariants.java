package mdm.backbone.nested;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.GradientCollector;
import java.util.function.BiFunction;
import mdm.core.random.HostRandom;
import mdm.core.runtime.EngineRuntime;
import mdm.core.tensor.Activations;

/** Micro-benchmark of GroupNorm(+affine, +SiLU) formulations, forward+backward. Development aid. */
public final class GroupNormVariants {
    public static void main(String[] args) {
        int n = 32;
        int c = args.length > 0 ? Integer.parseInt(args[0]) : 64;
        int hw = 32;
        int g = 8;
        try (EngineRuntime rt = EngineRuntime.standalone(); NDManager base = rt.newManager()) {
            HostRandom r = new HostRandom(1);
            NDArray gamma = base.create(r.uniform(c, 0.5, 1.5));
            NDArray beta = base.create(r.uniform(c, -1, 1));
            gamma.setRequiresGradient(true);
            beta.setRequiresGradient(true);
            NDArray x0 = base.create(r.normal(n * c * hw * hw), new Shape(n, c, hw, hw));
            BiFunction<NDManager, NDArray, NDArray> lnAffine = (m, x) -> {
                long k = (long) c / g * hw * hw;
                NDArray y = LayerNorm.layerNorm(x.reshape(n, g, k), new Shape(k), m.ones(new Shape(k)), m.zeros(new Shape(k)), 1e-5f)
                        .singletonOrThrow().reshape(n, c, hw, hw);
                return y.mul(gamma.reshape(1, c, 1, 1)).add(beta.reshape(1, c, 1, 1));
            };
            BiFunction<NDManager, NDArray, NDArray> lnBn = (m, x) -> {
                long k = (long) c / g * hw * hw;
                NDArray y = LayerNorm.layerNorm(x.reshape(n, g, k), new Shape(k), m.ones(new Shape(k)), m.zeros(new Shape(k)), 1e-5f)
                        .singletonOrThrow().reshape(n, c, hw, hw);
                return BatchNorm.batchNorm(y, m.zeros(new Shape(c)), m.ones(new Shape(c)), gamma, beta, -1, 0.9f, 0f, false)
                        .singletonOrThrow();
            };
            BiFunction<NDManager, NDArray, NDArray> bnBn = (m, x) -> {
                long k = (long) c / g * hw * hw;
                NDArray y = BatchNorm.batchNorm(x.reshape(1, (long) n * g, k), m.zeros(new Shape((long) n * g)),
                        m.ones(new Shape((long) n * g)), m.ones(new Shape((long) n * g)), m.zeros(new Shape((long) n * g)), -1, 0.9f, 1e-5f, true).singletonOrThrow().reshape(n, c, hw, hw);
                return BatchNorm.batchNorm(y, m.zeros(new Shape(c)), m.ones(new Shape(c)), gamma, beta, -1, 0.9f, 0f, false)
                        .singletonOrThrow();
            };
            run("LN + mul + add", rt, x0, lnAffine);
            run("LN + BN-eval", rt, x0, lnBn);
            run("BN-train + BN-eval", rt, x0, bnBn);
            run("LN + mul + add + silu", rt, x0, (m, x) -> Activations.silu(lnAffine.apply(m, x)));
            run("LN + BN-eval + silu", rt, x0, (m, x) -> Activations.silu(lnBn.apply(m, x)));
            run("BN-train + BN-eval + silu", rt, x0, (m, x) -> Activations.silu(bnBn.apply(m, x)));
            run("LN + mul + add", rt, x0, lnAffine);
            run("LN + BN-eval", rt, x0, lnBn);
            run("BN-train + BN-eval", rt, x0, bnBn);
        }
    }

    static void run(String name, EngineRuntime rt, NDArray x0, BiFunction<NDManager, NDArray, NDArray> f) {
        double best = Double.MAX_VALUE;
        double bestF = Double.MAX_VALUE;
        for (int i = 0; i < 25; i++) {
            try (NDManager m = rt.newManager()) {
                NDArray x = x0.duplicate();
                x.attach(m);
                long t0 = System.nanoTime();
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    x.setRequiresGradient(true);
                    NDArray y = f.apply(m, x);
                    long t1 = System.nanoTime();
                    gc.backward(y.mul(y).mean());
                    y.getFloat(0, 0, 0, 0);
                    bestF = Math.min(bestF, (t1 - t0) / 1e6);
                }
                best = Math.min(best, (System.nanoTime() - t0) / 1e6);
            }
        }
        System.out.printf("%-28s fwd %6.2f ms  fwd+bwd %6.2f ms%n", name, bestF, best);
    }
}
