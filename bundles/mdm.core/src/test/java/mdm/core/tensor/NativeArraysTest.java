package mdm.core.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import mdm.core.io.StateDicts;
import mdm.core.optim.ExponentialMovingAverage;
import mdm.core.optim.Gradients;
import mdm.core.runtime.EngineRuntime;
import org.junit.jupiter.api.Test;
import mdm.core.fixtures.EngineExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * No tensor may be left backed by Java-owned memory: DJL on the CPU makes a tensor share a direct
 * buffer it is given, and the garbage collector frees that buffer once its Java handle is gone
 * while libtorch may still use the storage. Each test checks that the storage is libtorch's own
 * (a write into the Java buffer, or into the old storage, shows which memory the tensor uses), and
 * then forces collections with the handles dropped and refills freed memory with a pattern, so
 * that a dangling storage would show the pattern (or crash) instead of the expected values.
 */
class NativeArraysTest {
    static EngineRuntime runtime;

    @RegisterExtension
    static final EngineExtension ENGINE = new EngineExtension(r -> runtime = r);

    /** Drops nothing itself: collects what the caller dropped, then reuses freed native memory. */
    private static void collectAndScribble(int bytes) throws InterruptedException {
        for (int round = 0; round < 5; round++) {
            System.gc();
            Thread.sleep(20); // direct buffers are freed by the Cleaner thread
            List<ByteBuffer> scribble = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                ByteBuffer b = ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
                while (b.remaining() >= 4) {
                    b.putFloat(12345f);
                }
                scribble.add(b);
            }
            scribble.clear();
        }
    }

    @Test
    void rawCreateSharesTheJavaBufferButNativeArraysCopies() {
        try (NDManager m = runtime.newManager()) {
            ByteBuffer data = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
            data.putFloat(0, 1f).putFloat(4, 2f);
            NDArray shared = m.create(data, new Shape(2), DataType.FLOAT32);
            NDArray copied = NativeArrays.create(m, data, new Shape(2), DataType.FLOAT32);
            data.putFloat(0, 99f);
            // the trap this class avoids: DJL's tensor reads the Java buffer
            assertEquals(99f, shared.toFloatArray()[0]);
            assertArrayEquals(new float[] {1f, 2f}, copied.toFloatArray());
        }
    }

    @Test
    void aViewOfANativeArrayOutlivesItsHandle() throws InterruptedException {
        try (NDManager m = runtime.newManager(); NDManager keep = runtime.newManager()) {
            float[] values = new float[4096];
            for (int i = 0; i < values.length; i++) {
                values[i] = i;
            }
            NDArray view;
            try (NDManager scope = m.newSubManager()) {
                view = NativeArrays.create(scope, values, new Shape(64, 64)).reshape(4096);
                view.attach(keep);
            }
            collectAndScribble(values.length * 4);
            assertArrayEquals(values, view.toFloatArray());
        }
    }

    @Test
    void resetKeepsTheGradientInItsOwnStorageThroughCollections() throws InterruptedException {
        try (NDManager m = runtime.newManager()) {
            int n = 4096;
            NDArray p = NativeArrays.create(m, new float[n]);
            p.setRequiresGradient(true);
            NDArray bad = m.full(new Shape(n), Float.NaN);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(p.mul(bad).sum());
            }
            NDArray gradient = p.getGradient();
            ByteBuffer storage = gradient.toByteBuffer(true); // a view of the gradient's memory
            try (NDManager step = m.newSubManager()) {
                Map<String, NDArray> grads = Gradients.of(Map.of("p", p));
                Gradients.reset(grads, step);
                Gradients.close(grads);
            }
            storage.putFloat(0, 7f); // the old storage is still the gradient's: the reset wrote into it
            assertEquals(7f, p.getGradient().toFloatArray()[0], "reset replaced the gradient's storage");
            storage.putFloat(0, 0f);
            collectAndScribble(n * 4);
            assertArrayEquals(new float[n], p.getGradient().toFloatArray());
            // the next backward accumulates into the reset gradient
            NDArray ones = m.ones(new Shape(n));
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(p.mul(ones).sum());
            }
            collectAndScribble(n * 4);
            float[] expected = new float[n];
            java.util.Arrays.fill(expected, 1f);
            assertArrayEquals(expected, p.getGradient().toFloatArray());
        }
    }

    @Test
    void loadedWeightsAndAveragesStayInTheirOwnStorage() throws InterruptedException {
        try (NDManager params = runtime.newManager(); NDManager state = runtime.newManager()) {
            int n = 2048;
            NDArray w = params.zeros(new Shape(n));
            ByteBuffer storage = w.toByteBuffer(true);
            Map<String, NDArray> model = new LinkedHashMap<>();
            model.put("w", w);
            ExponentialMovingAverage ema = new ExponentialMovingAverage(0.9, false, model, state);
            float[] values = new float[n];
            for (int i = 0; i < n; i++) {
                values[i] = i * 0.5f;
            }
            try (NDManager source = runtime.newManager()) {
                NDArray loaded = NativeArrays.create(source, values).toType(DataType.FLOAT16, false);
                StateDicts.loadStrict(Map.of("w", loaded), model);
                ema.restore(Map.of("w", loaded), 3);
            }
            storage.putFloat(0, -1f);
            assertEquals(-1f, w.toFloatArray()[0], "loading replaced the parameter's storage");
            storage.putFloat(0, 0f);
            collectAndScribble(n * 4);
            assertArrayEquals(values, w.toFloatArray());
            assertArrayEquals(values, ema.parameters().get("w").toFloatArray());
            ema.close();
        }
    }
}
