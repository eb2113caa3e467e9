package mdm.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import mdm.core.runtime.EngineRuntime;
import mdm.core.tensor.Attention;
import mdm.core.tensor.FlopCount;
import org.junit.jupiter.api.Test;
import mdm.core.fixtures.EngineExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The FLOP count of layers run under a count: the textbook figures (2 · multiply-adds) of a
 * convolution, a linear layer and attention's two products, for shapes where they are easy to
 * work out by hand; nothing is counted outside a count, and nested counts add up.
 */
class FlopCountTest {
    private static EngineRuntime runtime;

    @RegisterExtension
    static final EngineExtension ENGINE = new EngineExtension(r -> runtime = r);

    @Test
    void layersReportTheirMultiplyAdds() {
        try (NDManager m = runtime.newManager()) {
            ParamStore store = ParamStore.allocating(m, 1);
            ConvLayer conv = ConvLayer.conv2d(store.root().child("conv"), 3, 8, 3, 1, false);
            ConvLayer down = ConvLayer.conv2d(store.root().child("down"), 8, 8, 3, 2, false);
            LinearLayer linear = new LinearLayer(store.root().child("lin"), 64, 32, true, false);
            NDArray x = m.randomNormal(new Shape(2, 3, 16, 16));
            long outside;
            try (FlopCount outer = FlopCount.start()) {
                try (FlopCount c = FlopCount.start()) {
                    NDArray y = conv.forward(x);
                    // 2 images · 8 channels · 16 · 16 positions, each 3 · 3 · 3 multiply-adds
                    assertEquals(2L * 2 * 8 * 16 * 16 * 3 * 3 * 3, c.flops());
                    down.forward(y);
                }
                assertEquals(2L * 2 * 8 * 16 * 16 * 27 + 2L * 2 * 8 * 8 * 8 * 8 * 9, outer.flops());
                outside = outer.flops();
                try (FlopCount c = FlopCount.start()) {
                    linear.forward(m.randomNormal(new Shape(5, 64)));
                    assertEquals(2L * 5 * 32 * 64, c.flops());
                }
                assertEquals(outside + 2L * 5 * 32 * 64, outer.flops());
            }
            conv.forward(x); // no count open: nothing to count, nothing fails
            try (FlopCount c = FlopCount.start()) {
                // token-major attention: B=2, T=S=10 tokens, H=4 heads of d=8: Q·Kᵀ and weights·V
                NDArray q = m.randomNormal(new Shape(2, 10, 4, 8));
                Attention.tokenMajor(q, q, q, null);
                assertEquals(2 * (2L * 2 * 4 * 10 * 10 * 8), c.flops());
            }
        }
    }
}
