package mdm.conditioner.text.t5;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import mdm.api.MdmException;
import mdm.core.runtime.EngineRuntime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import mdm.core.fixtures.EngineExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The T5 encoder on tiny random weights written by the test, against the double-precision reference. */
class T5EncoderTest {
    private static EngineRuntime runtime;

    @RegisterExtension
    static final EngineExtension ENGINE = new EngineExtension(r -> runtime = r);

    /** Three captions, padded to 24 (longer than max_distance 20, so the capped log buckets are used). */
    private static final int[][] IDS = {
        {5, 17, 3, 9, 22, 31, 1, 8, 39, 12, 4, 4, 27, 18, 2, 33, 6, 21, 14, 11, 30, 7, 19, 1},
        {12, 3, 3, 28, 36, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
        {3, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
    };

    @Test
    void reluT5MatchesTheReference(@TempDir Path dir) throws Exception {
        TinyT5 model = new TinyT5("relu", 11);
        model.write(dir, false);
        double err = maxError(model, dir);
        System.out.printf("T5 encoder (relu, single file) max |ours − reference| = %.3g%n", err);
        assertTrue(err < 2e-5, "error " + err);
    }

    @Test
    void gatedGeluT5FromShardsMatchesTheReference(@TempDir Path dir) throws Exception {
        TinyT5 model = new TinyT5("gated-gelu", 12);
        model.write(dir, true);
        double err = maxError(model, dir);
        System.out.printf("T5 encoder (gated-gelu = flan-T5 / v1.1, 2 shards) max |ours − reference| = %.3g%n", err);
        assertTrue(err < 2e-5, "error " + err);
    }

    @Test
    void bucketsMatchHuggingFace() {
        // HF defaults (32 buckets, max distance 128): known values of _relative_position_bucket(k − q)
        int[][] known = {{0, 0}, {-1, 1}, {1, 17}, {-7, 7}, {-8, 8}, {-12, 9}, {-16, 10}, {-32, 12}, {-64, 14},
                         {-127, 15}, {-128, 15}, {-1000, 15}, {8, 24}, {200, 31}};
        for (int[] kv : known) {
            assertEquals(kv[1], RelativePositionBuckets.bucket(0, kv[0], 32, 128), "relative " + kv[0]);
        }
        T5Reference ref = new T5Reference(new TinyT5("relu", 1));
        for (int rel = -60; rel <= 60; rel++) {
            assertEquals(ref.bucket(rel), RelativePositionBuckets.bucket(0, rel, 8, 20), "relative " + rel);
        }
    }

    @Test
    void missingFilesAreExplained(@TempDir Path dir) throws Exception {
        try (NDManager m = runtime.newManager()) {
            MdmException noConfig = assertThrows(MdmException.class, () -> T5Encoder.load(dir, m));
            assertTrue(noConfig.getMessage().contains("config.json") && noConfig.getMessage().contains("README"),
                    noConfig.getMessage());
            TinyT5 model = new TinyT5("relu", 3);
            model.write(dir, false);
            Files.delete(dir.resolve("model.safetensors"));
            MdmException noWeights = assertThrows(MdmException.class, () -> T5Encoder.load(dir, m));
            assertTrue(noWeights.getMessage().contains("Nothing is downloaded"), noWeights.getMessage());
            Files.writeString(dir.resolve("config.json"),
                    Files.readString(dir.resolve("config.json")).replace("\"relu\"", "\"gated-gelu\""));
            model.write(dir.resolve("relu"), false);
            Files.copy(dir.resolve("relu/model.safetensors"), dir.resolve("model.safetensors"));
            MdmException wrongKind = assertThrows(MdmException.class, () -> T5Encoder.load(dir, m));
            assertTrue(wrongKind.getMessage().contains("wi_0.weight"), wrongKind.getMessage());
        }
    }

    private static double maxError(TinyT5 model, Path dir) {
        T5Reference ref = new T5Reference(model);
        try (NDManager m = runtime.newManager(); T5Encoder encoder = T5Encoder.load(dir, m)) {
            int b = IDS.length;
            int len = IDS[0].length;
            long[] flat = new long[b * len];
            float[] mask = new float[b * len];
            for (int i = 0; i < b; i++) {
                for (int j = 0; j < len; j++) {
                    flat[i * len + j] = IDS[i][j];
                    mask[i * len + j] = IDS[i][j] != 0 ? 1 : 0;
                }
            }
            NDArray out = encoder.encode(m.create(flat, new Shape(b, len)), m.create(mask, new Shape(b, len)));
            assertEquals(new Shape(b, len, model.dModel), out.getShape());
            float[] got = out.toFloatArray();
            double err = 0;
            for (int i = 0; i < b; i++) {
                boolean[] keys = new boolean[len];
                for (int j = 0; j < len; j++) {
                    keys[j] = IDS[i][j] != 0;
                }
                double[][] expected = ref.encode(IDS[i], keys);
                for (int j = 0; j < len; j++) {
                    for (int c = 0; c < model.dModel; c++) {
                        err = Math.max(err, Math.abs(expected[j][c] - got[(i * len + j) * model.dModel + c]));
                    }
                }
            }
            return err;
        }
    }
}
