package mdm.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.file.Files;
import java.nio.file.Path;
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
 * mdm:study in the real runtime: two tiny arms (the tiny NestedUNet and a plain UNet), two seeds,
 * one evaluation point measured by mdm.eval; the report has a row for each arm; starting it again
 * trains and measures nothing; bad study files are refused before anything trains.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class StudyIT {
    static final Path STUDY = Itest.RESOURCES.resolve("tiny-study.yaml");

    @Inject
    private CommandProcessor processor;

    @Configuration
    public Option[] config() {
        return MdmRuntime.options();
    }

    @Test
    public void aStudyTrainsBothArmsMeasuresThemAndReports() throws Exception {
        Shell shell = new Shell(processor);
        String out = shell.run("mdm:study --wait " + STUDY);
        assertTrue(out, out.contains("study 'itest-study' completed"));
        Path folder = MdmRuntime.WORK.resolve("studies/itest-study");
        String report = Files.readString(folder.resolve("report.md"));
        String fd = report.substring(report.indexOf("## fd"), report.indexOf("## accuracy"));
        assertTrue(report, fd.contains("| nested | ") && fd.contains("| unet | "));
        assertFalse(report, fd.contains("—")); // every cell measured
        for (String f : new String[] {"fd-vs-images.png", "fd-vs-time.png", "grid-nested.png", "grid-unet.png",
            "study.json", "runs/nested/seed-2/spec.json"}) {
            assertTrue(f, Files.isRegularFile(folder.resolve(f)));
        }
        String json = Files.readString(folder.resolve("study.json"));
        assertTrue(json, json.contains("\"arm\" : \"nested\"") && json.contains("\"arm\" : \"unet\""));
        assertTrue(json, json.contains("\"backbone/unet\" : \"mdm.backbone.unet"));
        // the trainer counted the FLOPs of a step
        assertTrue(report, report.matches("(?s).*\\| nested \\| 48 \\| [0-9,]+ \\| [0-9.]+ \\|.*"));

        String status = shell.run("mdm:study --status " + STUDY);
        assertTrue(status, status.contains("study itest-study: completed") && status.contains("1/1"));

        String again = shell.run("mdm:study --wait " + STUDY);
        assertTrue(again, again.contains("completed") && !again.contains("training (job")
                && !again.contains("measuring"));
    }

    @Test
    public void badStudiesAreRefusedBeforeAnythingTrains() throws Exception {
        Shell shell = new Shell(processor);
        String study = Files.readString(STUDY).replace("base: tiny-nested.yaml",
                "base: " + Itest.RESOURCES.resolve("tiny-nested.yaml"));
        expect(shell, write("typo.yaml", named(study, "typo")
                .replace("components.backbone: unet", "components.backbone: unet\n      diffusion.sampler_config.schedule_shiftd: false")),
                "arm 'unet'", "schedule_shiftd");
        expect(shell, write("unregistered.yaml", named(study, "unregistered")
                .replace("components.backbone: unet", "components.backbone: unet3")), "arm 'unet'", "unet3");
        expect(shell, write("steps.yaml", named(study, "steps")
                .replace("{images: 48}", "{steps: 12}").replace("{name: \"16\", levels: 1, steps: 6}",
                        "{name: \"16\", levels: 1, steps: 6, batch_size: 8}")), "does not compare", "budget: {images: N}");
        Path foreign = MdmRuntime.WORK.resolve("studies/someone-else");
        Files.createDirectories(foreign);
        Files.writeString(foreign.resolve("plan.json"), "{\"study\": \"someone-else\"}");
        expect(shell, write("foreign.yaml", named(study, "foreign").replace("folder: studies/foreign", "folder: studies/someone-else")), "holds study 'someone-else'");
        assertFalse(Files.exists(MdmRuntime.WORK.resolve("studies/typo")));
        assertFalse(Files.exists(MdmRuntime.WORK.resolve("runs")));
        assertTrue(shell.run("mdm:version").contains("PyTorch"));
    }

    /** The study under another name, in its own folder. */
    private static String named(String study, String name) {
        return study.replace("name: itest-study", "name: " + name)
                .replace("folder: studies/itest-study", "folder: studies/" + name);
    }

    private static void expect(Shell shell, Path file, String... fragments) {
        try {
            String out = shell.run("mdm:study --wait " + file);
            fail(file + " should be refused but printed: " + out);
        } catch (Exception e) {
            String m = String.valueOf(e.getMessage());
            for (String f : fragments) {
                assertTrue(file + " -> " + m, m.contains(f));
            }
        }
    }

    private static Path write(String name, String text) throws Exception {
        Path f = MdmRuntime.WORK.resolve("study-files").resolve(name);
        Files.createDirectories(f.getParent());
        Files.writeString(f, text);
        return f;
    }
}
