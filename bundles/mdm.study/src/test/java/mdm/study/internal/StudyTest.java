package mdm.study.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import mdm.api.MdmException;
import mdm.api.study.StudyStatus;
import mdm.core.config.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The study runner with stand-ins for the trainer and evaluator: budgets, evaluation points, every
 * refusal before training, the report, and resuming after an interruption without repeating work.
 */
class StudyTest {
    private static final String BASE = """
            name: base
            seed: 1
            components: {backbone: nested_unet, schedule: cosine, sampler: ddim, conditioner: class, dataset: shapes}
            model: {resolution_channels: [8]}
            training: {batch_size: 4}
            stages:
              - {name: "8", levels: 1, steps: 10, batch_size: 8}
              - {name: "16", levels: 2, steps: 10}
            """;
    private static final String STUDY = """
            name: toy
            base: base.yaml
            seeds: 2
            budget: {images: 400}
            evaluation: {every: 50%, n: 10, metrics: [fd, accuracy]}
            arms:
              - name: mdm
              - name: unet
                overrides:
                  components.backbone: unet
                  stages: [{name: "16", levels: 1, steps: 20}]
            """;

    @TempDir
    Path dir;

    private final Fakes.FakeFeatures features = new Fakes.FakeFeatures();
    private final Fakes.FakeTrainer trainer = new Fakes.FakeTrainer();
    private final Fakes.FakeEvaluator evaluator = new Fakes.FakeEvaluator();

    private Path work() {
        return dir.resolve("work");
    }

    private StudyPlanner planner() {
        return new StudyPlanner(spec -> Fakes.stages(spec, List.of("nested_unet", "unet")),
                new FeatureSwitch(() -> features), work());
    }

    private Path study(String text) {
        Fakes.write(dir.resolve("base.yaml"), BASE);
        return Fakes.write(dir.resolve("study.yaml"), text);
    }

    private StudyExecution execute(Path file, List<String> log) {
        StudyExecution e = new StudyExecution(planner().plan(file), trainer, evaluator, new FeatureSwitch(() -> features));
        e.addLogListener(log::add);
        e.run();
        return e;
    }

    @Test
    void anImagesBudgetScalesEachArmsStagesAndPlacesThePoints() {
        StudyPlan plan = planner().plan(study(STUDY));
        StudyPlan.Run mdm = plan.arms().get(0).runs().get(0);
        // the spec's 10 × 8 + 10 × 4 = 120 images scaled to 400: 33 steps of 8, then 34 of 4, plus 1 so that
        // the 2 points fall on steps
        assertArrayEquals(new long[] {33, 35}, mdm.stageSteps());
        assertArrayEquals(new long[] {34, 68}, mdm.pointSteps());
        assertEquals(33 * 8 + 4, mdm.imagesSeen(34));
        assertEquals(33 * 8 + 35 * 4, mdm.imagesSeen(68));
        StudyPlan.Run unet = plan.arms().get(1).runs().get(1);
        assertArrayEquals(new long[] {100}, unet.stageSteps());
        assertArrayEquals(new long[] {50, 100}, unet.pointSteps());
        assertEquals(2, unet.seed());
        assertEquals("unet", unet.spec().path("components").path("backbone").asText());
        assertEquals(34, mdm.spec().path("training").path("checkpoint_every").asLong());
        assertEquals("toy-mdm", mdm.spec().path("name").asText());
        assertEquals(work().resolve("studies/toy/runs/mdm/seed-1").toString(), mdm.spec().path("output").asText());
        assertFalse(plan.arms().get(0).runs().get(0).fingerprint().equals(plan.arms().get(0).runs().get(1).fingerprint()));
    }

    @Test
    void stepsAreRefusedAcrossDifferentBatchSizes() {
        MdmException e = assertThrows(MdmException.class,
                () -> planner().plan(study(STUDY.replace("{images: 400}", "{steps: 100}"))));
        assertTrue(e.getMessage().contains("does not compare") && e.getMessage().contains("budget: {images: N}"),
                e.getMessage());
        // one batch size everywhere: steps compare
        String same = STUDY.replace("{images: 400}", "{steps: 100}").replace("arms:", "common: {stages.0.batch_size: 4}\narms:");
        assertArrayEquals(new long[] {50, 50}, planner().plan(study(same)).arms().get(0).runs().get(0).stageSteps());
    }

    @Test
    void badInputIsRefusedBeforeAnythingTrains() {
        refused(STUDY.replace("components.backbone: unet", "modle.backbone: unet"), "did you mean 'model'");
        refused(STUDY.replace("components.backbone: unet", "components.backbon: unet"), "did you mean 'backbone'");
        refused(STUDY.replace("components.backbone: unet", "seed: 3"), "set by the study");
        refused(STUDY.replace("components.backbone: unet", "components.backbone: unett"),
                "arm 'unet': no backbone named 'unett'");
        refused(STUDY.replace("components.backbone: unet", "model.bogus: 1"), "arm 'unet': unknown key 'bogus'");
        refused(STUDY.replace("components.backbone: unet", "stages.3.steps: 1"), "not an index");
        refused(STUDY.replace("- name: mdm", "- name: mdm\n    features: [mdm-ablation-shifted-cosin]"),
                "did you mean 'mdm-ablation-shifted-cosine'");
        refused(STUDY.replace("seeds: 2", "seeds: 1"), "at least 2 seeds");
        refused(STUDY.replace("every: 50%", "every: 30%"), "divide the budget evenly");
        refused(STUDY.replace("budget: {images: 400}", "budget: {images: 400, steps: 3}"), "exactly one");
        refused(STUDY.replace("- name: unet", "- name: mdm"), "two arms are named 'mdm'");
        refused(STUDY.replace("base: base.yaml", "base: nowhere.yaml"), "spec file not found");
        refused(STUDY.replace("evaluation:", "evaluaton:"), "did you mean 'evaluation'");
        assertTrue(trainer.started.isEmpty());
        assertFalse(Files.exists(work().resolve("studies/toy")), "nothing written");
    }

    private void refused(String text, String expected) {
        MdmException e = assertThrows(MdmException.class, () -> planner().plan(study(text)));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void aFolderOfAnotherStudyOrOfSomethingElseIsRefused() throws Exception {
        List<String> log = new ArrayList<>();
        execute(study(STUDY), log);
        MdmException other = assertThrows(MdmException.class, () -> planner().plan(study(STUDY.replace("name: toy",
                "name: other\nfolder: studies/toy"))));
        assertTrue(other.getMessage().contains("holds study 'toy', not 'other'"), other.getMessage());
        Fakes.write(work().resolve("studies/stuff/notes.txt"), "mine");
        MdmException stuff = assertThrows(MdmException.class,
                () -> planner().plan(study(STUDY.replace("name: toy", "name: stuff"))));
        assertTrue(stuff.getMessage().contains("holds no study"), stuff.getMessage());
        MdmException changed = assertThrows(MdmException.class,
                () -> planner().plan(study(STUDY.replace("n: 10", "n: 20"))));
        assertTrue(changed.getMessage().contains("cannot resume"), changed.getMessage());
    }

    @Test
    void aStudyTrainsEveryArmAndSeedMeasuresEveryPointAndReports() throws Exception {
        List<String> log = new ArrayList<>();
        StudyExecution e = execute(study(STUDY), log);
        assertEquals("completed", e.state(), String.join("\n", log));
        assertEquals(4, trainer.started.size());
        assertEquals(8, evaluator.requests.size());
        Path folder = work().resolve("studies/toy");
        String report = Files.readString(folder.resolve("report.md"));
        assertTrue(report.contains("## fd") && report.contains("## accuracy"), report);
        // fd at 50 % of mdm: 1000/34 ± 1 over the seeds (mean 29.41, std √2 = 1.4)
        assertTrue(report.contains("| mdm | 29.41 ± 1.4 | 14.71 ± 1.4 |"), report);
        assertTrue(report.contains("| unet | 20.00 ± 1.4 | 10.00 ± 1.4 |"), report);
        // images (one step more than the budget so that the points fall on steps), parameters of the checkpoint
        assertTrue(report.contains("| mdm | 404 | 12 |"), report);
        for (String f : List.of("fd-vs-images.png", "fd-vs-time.png", "grid-mdm.png", "grid-unet.png", "study.json",
                "plan.json", "study.yaml")) {
            assertTrue(Files.isRegularFile(folder.resolve(f)), f);
        }
        JsonNode json = Json.read(folder.resolve("study.json"));
        JsonNode mdm = json.path("results").get(0);
        assertEquals(29.41, mdm.at("/points/0/figures/fd/mean").asDouble(), 0.01);
        assertEquals(2, mdm.at("/points/0/figures/fd/n").asInt());
        assertEquals(268, mdm.at("/points/0/images_seen/mean").asDouble(), 1e-9);
        assertEquals("mdm.fake 1.0.0", mdm.at("/runs/0/components").elements().next().asText());
        assertEquals(2, mdm.at("/runs/1/spec/seed").asInt());
        // a committed study folder must not carry the paths of the machine it ran on
        assertEquals("runs/mdm/seed-2", mdm.at("/runs/1/folder").asText());
        assertEquals("runs/mdm/seed-2", mdm.at("/runs/1/spec/output").asText());
        assertTrue(Files.readString(folder.resolve("study.json")).indexOf(folder.toString()) < 0, "no absolute run paths");
        StudyStatus st = StudyStatusReader.read(folder, null);
        assertEquals("completed", st.state());
        assertTrue(st.runs().stream().allMatch(r -> r.state().equals("done") && r.evaluated() == 2));
    }

    @Test
    void aPointWhereAnArmHasNothingToSampleIsRecordedNotFailed() throws Exception {
        evaluator.nothingArm = "unet";
        evaluator.nothingUpTo = 50; // the unet arm's first point (step 50 of 100)
        List<String> log = new ArrayList<>();
        StudyExecution e = execute(study(STUDY), log);
        assertEquals("completed", e.state(), String.join("\n", log));
        assertTrue(log.stream().anyMatch(l -> l.contains("arm 'unet' seed 1: point 50 % not measured: the autoencoder stage")),
                String.join("\n", log));
        Path folder = work().resolve("studies/toy");
        String report = Files.readString(folder.resolve("report.md"));
        assertTrue(report.contains("| unet | — | 10.00 ± 1.4 |"), report);
        assertTrue(report.contains("## Points not measured") && report.contains("- unet, seed 2, 50 % (step 50): the "
                + "autoencoder stage of latent diffusion is not a denoiser"), report);
        assertEquals("completed", StudyStatusReader.read(folder, null).state());
        // started again, the recorded point is not tried again
        int asked = evaluator.requests.size();
        execute(study(STUDY), log);
        assertEquals(asked, evaluator.requests.size());
    }

    @Test
    void anInterruptedStudyResumesWithoutRepeatingFinishedWork() throws Exception {
        List<String> log = new ArrayList<>();
        trainer.crashAfter = 40; // the first run dies after step 40 (checkpoints at 33 and 34 are on disk)
        StudyExecution first = execute(study(STUDY), log);
        assertEquals("failed", first.state());
        assertTrue(first.reason().orElse("").contains("start the study again to resume"), first.reason().orElse(""));
        assertEquals("partial", StudyStatusReader.read(work().resolve("studies/toy"), null).state());
        trainer.crashAfter = -1;
        StudyExecution second = execute(study(STUDY), log);
        assertEquals("completed", second.state(), String.join("\n", log));
        assertTrue(trainer.started.get(1).resume(), "the interrupted run resumes from its checkpoint");
        assertEquals(5, trainer.started.size());
        assertEquals(8, evaluator.requests.size());
        // once more: everything is there, nothing trains or is measured again
        execute(study(STUDY), log);
        assertEquals(5, trainer.started.size());
        assertEquals(8, evaluator.requests.size());
        // the training time of a resumed run goes on from its checkpoint's
        JsonNode run = Json.read(work().resolve("studies/toy/runs/mdm/seed-1/" + RunState.FILE));
        assertEquals(2, run.path("sessions").size());
        assertEquals(34, run.at("/sessions/1/from_step").asLong());
        assertTrue(run.at("/evaluations/2/train_seconds").asDouble() >= run.at("/evaluations/1/train_seconds").asDouble());
    }

    @Test
    void anArmsFeaturesAreInstalledForItAlone() {
        List<String> log = new ArrayList<>();
        execute(study(STUDY.replace("- name: unet", "- name: unet\n    features: [mdm-ablation-shifted-cosine]")), log);
        // installed to check the arm, then again to train and measure it, removed after each
        assertEquals(List.of("install mdm-ablation-shifted-cosine", "uninstall mdm-ablation-shifted-cosine",
                "install mdm-ablation-shifted-cosine", "uninstall mdm-ablation-shifted-cosine"), features.log);
        assertEquals(2, trainer.started.stream().filter(r -> r.spec().toString().contains("unet")).count());
    }

    @Test
    void aFeatureLeftInstalledByAKilledStudyIsStillRemovedAfterItsArm() throws Exception {
        String withFeature = STUDY.replace("- name: unet", "- name: unet\n    features: [mdm-ablation-shifted-cosine]");
        study(withFeature);
        // as if the study had been killed during the arm: the feature is installed and the note says by whom
        features.install("mdm-ablation-shifted-cosine");
        Fakes.write(work().resolve("studies/toy/" + StudyExecution.INSTALLED), "[\"mdm-ablation-shifted-cosine\"]");
        Fakes.write(work().resolve("studies/toy/plan.json"), "{\"study\": \"toy\"}");
        features.log.clear();
        List<String> log = new ArrayList<>();
        StudyExecution e = execute(dir.resolve("study.yaml"), log);
        assertEquals("completed", e.state(), String.join("\n", log));
        assertEquals("uninstall mdm-ablation-shifted-cosine", features.log.get(features.log.size() - 1));
        assertFalse(Files.exists(work().resolve("studies/toy/" + StudyExecution.INSTALLED)));
        assertTrue(features.features().stream().noneMatch(f -> f.installed()));
    }

    @Test
    void aWallClockBudgetStopsAtEachPointAndResumes() {
        List<String> log = new ArrayList<>();
        String timed = STUDY.replace("{images: 400}", "{seconds: 1}")
                .replace("steps: 20}]", "steps: 1000000}]").replace("  - name: mdm\n", "");
        StudyExecution e = execute(study(timed), log);
        assertEquals("completed", e.state(), String.join("\n", log));
        assertEquals(4, trainer.started.size()); // 2 seeds × 2 points, each a stop and a resume
        assertTrue(trainer.started.get(1).resume());
        JsonNode run = Json.read(work().resolve("studies/toy/runs/unet/seed-1/" + RunState.FILE));
        long p1 = run.at("/points/1").asLong();
        long p2 = run.at("/points/2").asLong();
        assertTrue(p1 > 0 && p2 > p1, run.toString());
        // a point's training time is read from its checkpoint's state.json modification time, which the
        // file system stamps from its coarse clock (up to a tick, 4–10 ms, behind the precise clock the
        // stop was decided by): the budget holds to within that
        assertTrue(run.at("/evaluations/1/train_seconds").asDouble() >= 0.5 - CLOCK_TICK, run.toString());
        assertTrue(run.at("/evaluations/2/train_seconds").asDouble() >= 1.0 - CLOCK_TICK, run.toString());
    }

    /** The most a file's modification time lags behind System.currentTimeMillis (a kernel tick, with margin). */
    static final double CLOCK_TICK = 0.05;
}
