package mdm.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import mdm.core.fixtures.EngineExtension;
import mdm.core.random.HostRandom;
import mdm.core.runtime.EngineRuntime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code temporal_positional_encoding} is what tells a temporal attention block the order of the
 * frames: without it the block is equivariant to any reordering of the frames (reversing a clip
 * reverses the output and nothing else), with it (rotary, relative positions) the output depends on
 * the order, so motion up and motion down can be told apart by attention.
 */
class TemporalAttentionBlockTest {
    static final long CHANNELS = 32;
    static final int FRAMES = 6;
    static EngineRuntime runtime;

    @RegisterExtension
    static final EngineExtension ENGINE = new EngineExtension(r -> runtime = r);

    @Test
    void withoutPositionalEncodingReversingTheFramesOnlyReversesTheOutput() {
        try (NDManager m = runtime.newManager()) {
            float gap = reorderingGap(m, false);
            assertTrue(gap < 1e-4f, "equivariant up to float error, got " + gap);
        }
    }

    @Test
    void withPositionalEncodingTheOutputDependsOnTheFrameOrder() {
        try (NDManager m = runtime.newManager()) {
            float gap = reorderingGap(m, true);
            assertTrue(gap > 1e-2f, "rotary positions must make the block order-aware, got " + gap);
        }
    }

    /** max |block(reverse(x)) − reverse(block(x))| over two clips of FRAMES frames. */
    private static float reorderingGap(NDManager m, boolean rotary) {
        ParamStore store = ParamStore.allocating(m, 3);
        TemporalAttentionBlock block = new TemporalAttentionBlock(store.root().child("t_attn"), CHANNELS, rotary);
        RandomWeights.fill(store.arrays(), new HostRandom(5), 1.0);
        HostRandom r = new HostRandom(9);
        long samples = 2;
        NDArray x = m.create(r.normal((int) (samples * FRAMES * CHANNELS * 8 * 8)),
                new Shape(samples * FRAMES, CHANNELS, 8, 8));
        NDArray out = block.forward(Forward.EVAL, x, samples);
        NDArray outOfReversed = block.forward(Forward.EVAL, reverseFrames(x, samples), samples);
        assertEquals(x.getShape(), out.getShape());
        return outOfReversed.sub(reverseFrames(out, samples)).abs().max().getFloat();
    }

    private static NDArray reverseFrames(NDArray x, long samples) {
        NDList frames = new NDList();
        for (long s = 0; s < samples; s++) {
            for (long f = FRAMES - 1; f >= 0; f--) {
                frames.add(x.get(new NDIndex("{}", s * FRAMES + f)));
            }
        }
        return NDArrays.stack(frames, 0);
    }
}
