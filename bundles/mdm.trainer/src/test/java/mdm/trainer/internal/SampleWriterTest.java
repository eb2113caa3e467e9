package mdm.trainer.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import mdm.api.data.DatasetInfo;
import mdm.api.data.Sample;
import mdm.core.runtime.EngineRuntime;
import mdm.core.tensor.Mosaic;
import mdm.data.shapes.Background;
import mdm.data.shapes.Colour;
import mdm.data.shapes.Direction;
import mdm.data.shapes.Placement;
import mdm.data.shapes.Renderer;
import mdm.data.shapes.Scene;
import mdm.data.shapes.ShapeKind;
import mdm.data.shapes.ShapesChecker;
import mdm.data.shapes.SizeClass;
import mdm.data.shapes.Texture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A video model's key-frame level is scored beside its clips, so that a wrong motion can be traced
 * to the key frames or to the level that fills in the frames between them.
 */
class SampleWriterTest {
    static final int SIDE = 16;
    static final int FRAMES = 16;
    static EngineRuntime runtime;

    @BeforeAll
    static void start() {
        runtime = EngineRuntime.standalone();
    }

    @AfterAll
    static void stop() {
        runtime.close();
    }

    @Test
    void keyFramesThatRunBackwardsAreScoredApartFromTheClipsThatMoveRight(@TempDir Path folder) {
        List<Scene> scenes = new ArrayList<>();
        for (Direction d : Direction.values()) {
            scenes.add(new Scene(Background.BLACK, List.of(new Scene.Item(ShapeKind.SQUARE, Colour.RED, SizeClass.LARGE,
                    Texture.PLAIN, Placement.CENTRE)), d));
        }
        try (NDManager m = runtime.newManager()) {
            float[] all = new float[scenes.size() * FRAMES * 3 * SIDE * SIDE];
            List<Sample> conditions = new ArrayList<>();
            for (int i = 0; i < scenes.size(); i++) {
                float[] clip = Renderer.render(scenes.get(i), SIDE, FRAMES);
                System.arraycopy(clip, 0, all, i * clip.length, clip.length);
                conditions.add(Sample.condition(-1, scenes.get(i).caption()));
            }
            NDArray seq = m.create(all, new Shape(scenes.size(), FRAMES, 3, SIDE, SIDE));
            NDArray clips = Mosaic.fromFrames(seq, 4);
            // the frame pyramid's key frames 0, 4, 8, 12, here in reverse order: every key clip moves backwards
            NDList backwards = new NDList();
            for (int f = 12; f >= 0; f -= 4) {
                backwards.add(seq.get(new NDIndex(":, {}", f)));
            }
            NDArray keys = Mosaic.fromFrames(NDArrays.stack(backwards, 1), 2);
            DatasetInfo info = new DatasetInfo("shapes", SIDE, 3, FRAMES, List.of(), true, 0);

            SampleWriter.Result r = SampleWriter.write(List.of(clips, keys), conditions, info, List.of(4, 2), folder,
                    "grid", true, new ShapesChecker());

            Map<String, Double> scores = r.scores();
            assertEquals(1.0, scores.get(ShapesChecker.DIRECTION), "the clips move as captioned");
            assertEquals(1.0, scores.get(ShapesChecker.SHAPE));
            assertEquals(0.0, scores.get(SampleWriter.levelPrefix(32) + ShapesChecker.DIRECTION),
                    "the key frames run backwards");
            assertEquals(1.0, scores.get(SampleWriter.levelPrefix(32) + ShapesChecker.SHAPE));
            assertEquals(scores, r.report().scores(), "the report carries the key-frame scores too");
            assertEquals(scenes.size(), r.report().perSample().size(), "per-sample verdicts are the clips'");
            // and each clip's row in samples.tsv says the same of its clip and of its key frames
            List<String> rows = readLines(folder.resolve(SampleWriter.INDEX));
            List<String> header = List.of(rows.get(0).split("\t"));
            int clip = header.indexOf(ShapesChecker.DIRECTION);
            int key = header.indexOf(SampleWriter.levelPrefix(32) + ShapesChecker.DIRECTION);
            assertTrue(clip > 1 && key > 1, rows.get(0));
            assertEquals(scenes.size() + 1, rows.size());
            for (String row : rows.subList(1, rows.size())) {
                String[] cells = row.split("\t", -1);
                assertEquals("1", cells[clip], row);
                assertEquals("0", cells[key], row);
            }
        }
    }

    private static List<String> readLines(Path file) {
        try {
            return java.nio.file.Files.readAllLines(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void anImageModelsLowerLevelsAreNotScored(@TempDir Path folder) {
        Scene scene = new Scene(Background.GREY, List.of(new Scene.Item(ShapeKind.CIRCLE, Colour.BLUE, SizeClass.LARGE,
                Texture.PLAIN, Placement.CENTRE)), null);
        try (NDManager m = runtime.newManager()) {
            NDArray image = m.create(Renderer.render(scene, 32, 1), new Shape(1, 3, 32, 32));
            NDArray low = image.reshape(1, 3, 16, 2, 16, 2).mean(new int[] {5}).mean(new int[] {3});
            List<Sample> conditions = List.of(Sample.condition(-1, scene.caption()));
            DatasetInfo info = new DatasetInfo("shapes", 32, 3, 1, List.of(), true, 0);

            SampleWriter.Result r = SampleWriter.write(List.of(image, low), conditions, info, List.of(1, 1), folder,
                    "grid", false, new ShapesChecker());

            assertEquals(1.0, r.scores().get(ShapesChecker.SHAPE));
            assertTrue(r.scores().keySet().stream().noneMatch(k -> k.startsWith("level")), r.scores().toString());
            assertFalse(r.scores().isEmpty());
        }
    }
}
