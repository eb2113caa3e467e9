package mdm.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import javax.imageio.ImageIO;
import javax.inject.Inject;
import org.apache.felix.service.command.CommandProcessor;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * mdm:eval through the real command of the booted runtime: a tiny trained checkpoint measured with
 * every metric (table, eval.json with what the figures depend on), the floor of its data set
 * (--real), and bad input stopped before anything is generated, the shell staying up.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class EvalIT {
    static final Path SPEC = Itest.RESOURCES.resolve("tiny-nested.yaml");
    static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    private CommandProcessor processor;

    @Configuration
    public Option[] config() {
        return MdmRuntime.options();
    }

    @Test
    public void evaluatesACheckpointAndTheFloor() throws Exception {
        Shell shell = new Shell(processor);
        Path run = trained(shell, "runs/eval-tiny");

        String out = shell.run("mdm:eval --n 12 --steps 2 --guidance 1.5 --seed 4 --batch 6 " + run);
        for (String figure : new String[] {"fd", "kid", "kid_exact", "precision", "recall", "density", "coverage",
                "accuracy", "ddim, 2 steps, guidance 1.5", "feature network shapes", "wrote"}) {
            assertTrue(figure + " in\n" + out, out.contains(figure));
        }
        Path checkpoint = Files.list(run.resolve("checkpoints")).filter(p -> p.getFileName().toString().startsWith("step-"))
                .max(Path::compareTo).orElseThrow();
        JsonNode eval = JSON.readTree(checkpoint.resolve("eval.json").toFile());
        assertEquals(12, eval.get("n").asInt());
        assertEquals("ddim", eval.get("sampler").asText());
        assertEquals(2, eval.get("steps").asInt());
        assertEquals(1.5, eval.get("guidance").asDouble(), 0);
        assertEquals(4, eval.get("seed").asLong());
        assertEquals("shapes", eval.get("feature_network").asText());
        assertTrue(eval.toString(), eval.get("feature_network_sha256").asText().matches("[0-9a-f]{64}"));
        for (String figure : new String[] {"fd", "kid", "kid_std", "kid_exact", "precision", "recall", "density",
                "coverage", "accuracy"}) {
            JsonNode v = eval.path("figures").get(figure);
            assertTrue(figure + " in " + eval, v != null && v.isNumber() && Double.isFinite(v.asDouble()));
        }
        assertTrue(out, out.contains(checkpoint.resolve("eval.json").toString()));

        // the floor: fresh draws of the same (generated) data set against its reference draws
        String floor = shell.run("mdm:eval --real " + SPEC + " --n 40 --metrics fd,pr,accuracy --save-features");
        assertTrue(floor, floor.contains("held-out") && floor.contains("precision") && floor.contains("accuracy"));
        Path heldOut = MdmRuntime.WORK.resolve("eval/shapes-held-out");
        JsonNode floorJson = JSON.readTree(heldOut.resolve("eval.json").toFile());
        assertEquals(40, floorJson.get("n").asInt());
        assertEquals("shapes", floorJson.get("feature_network").asText());
        assertTrue(floorJson.toString(), floorJson.path("figures").get("fd").asDouble() >= 0);
        try (ZipFile npz = new ZipFile(heldOut.resolve("features.npz").toFile())) {
            for (String side : new String[] {"real.npy", "generated.npy"}) {
                ZipEntry e = npz.getEntry(side);
                assertTrue(side + " in features.npz", e != null && e.getSize() >= 40L * 128 * 4);
            }
        }
    }

    @Test
    public void badInputStopsBeforeGenerating() throws Exception {
        Shell shell = new Shell(processor);
        Path run = trained(shell, "runs/eval-bad");

        expect(shell, "mdm:eval --n 1 " + run, "N = 1 is too few");
        expect(shell, "mdm:eval --n 20 --metrics fd,fidelity " + run, "no metric named 'fidelity'");
        expect(shell, "mdm:eval --n 20 --features inception " + run, "no feature network named 'inception'");

        // a data set no feature network serves: the message names the registered ones and how to add one
        Path images = MdmRuntime.WORK.resolve("eval-images");
        for (String cls : new String[] {"a", "b"}) {
            Files.createDirectories(images.resolve(cls));
            for (int i = 0; i < 3; i++) {
                BufferedImage img = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
                img.setRGB(i, i, 0xFFFFFF);
                ImageIO.write(img, "png", images.resolve(cls).resolve(i + ".png").toFile());
            }
        }
        String folder = "image-folder:{\"path\":\"" + images.toString().replace("\\", "/") + "\",\"image_size\":16}";
        String message = failure(shell, "mdm:eval --real '" + folder + "' --n 4");
        assertTrue(message, message.contains("no feature network serves dataset 'image-folder'"));
        assertTrue(message, message.contains("fashion-mnist (for fashion-mnist)") && message.contains("shapes (for shapes)"));
        assertTrue(message, message.contains("mdm:featurenet"));

        // a checkpoint without a dataset, only a 'data' section, as mdm:import writes for a model sampled from labels
        Path checkpoint = Files.list(run.resolve("checkpoints")).filter(p -> p.getFileName().toString().startsWith("step-"))
                .max(Path::compareTo).orElseThrow();
        Path imported = MdmRuntime.WORK.resolve("runs/eval-imported/checkpoints").resolve(checkpoint.getFileName());
        Files.createDirectories(imported);
        for (Path f : Files.list(checkpoint).filter(Files::isRegularFile).toList()) {
            Files.copy(f, imported.resolve(f.getFileName()));
        }
        ObjectNode record = (ObjectNode) JSON.readTree(imported.resolve("experiment.json").toFile());
        ObjectNode importedSpec = (ObjectNode) record.get("spec");
        ((ObjectNode) importedSpec.get("components")).remove("dataset");
        importedSpec.putObject("data").put("image_size", 16).put("captions", false).put("classes", 8);
        JSON.writeValue(imported.resolve("experiment.json").toFile(), record);
        expect(shell, "mdm:eval --n 20 " + imported, "names no dataset");
        assertTrue("nothing was written for refused requests", !Files.exists(imported.resolve("eval.json"))
                && !Files.exists(checkpoint.resolve("eval.json")));

        assertTrue(shell.run("mdm:version").contains("PyTorch"));
    }

    private static Path trained(Shell shell, String out) throws Exception {
        String done = shell.run("mdm:train --wait --out " + out + " " + SPEC);
        assertTrue(done, done.contains("completed"));
        return MdmRuntime.WORK.resolve(out);
    }

    private static String failure(Shell shell, String command) {
        try {
            String out = shell.run(command);
            fail(command + " should fail but printed: " + out);
            return null;
        } catch (Exception e) {
            return String.valueOf(e.getMessage());
        }
    }

    private static void expect(Shell shell, String command, String fragment) {
        String m = failure(shell, command);
        assertTrue(command + " -> " + m, m.contains(fragment));
    }
}
