package mdm.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.inject.Inject;
import mdm.api.train.Job;
import mdm.api.train.JobState;
import mdm.api.train.Trainer;
import org.apache.felix.service.command.CommandProcessor;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

/** Training, sampling, bad input and hot-swapping through the real commands of the real runtime. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class TrainingIT {
    static final Path SPEC = Itest.RESOURCES.resolve("tiny-nested.yaml");

    @Inject
    private CommandProcessor processor;
    @Inject
    private Trainer trainer;
    @Inject
    private BundleContext context;

    @Configuration
    public Option[] config() {
        Itest.writeNested32Npz();
        return MdmRuntime.options();
    }

    /** The same spec before and after installing the ablation feature: two runs, two schedules, both recorded. */
    @Test
    public void trainSampleAndAblateWithoutRestart() throws Exception {
        Shell shell = new Shell(processor);
        String first = shell.run("mdm:train --wait --out runs/itest-a " + SPEC);
        assertTrue(first, first.contains("completed"));
        Path a = MdmRuntime.WORK.resolve("runs/itest-a");
        assertTrue(Files.isRegularFile(a.resolve("loss.png")));
        assertTrue(Files.isRegularFile(a.resolve("samples/final.png")));

        String sample = shell.run("mdm:sample --label red --n 2 --steps 3 --seed 5 " + a);
        assertTrue(sample, sample.contains("grid") && sample.contains("checker"));
        // the per-image index: file, condition, the checker's verdicts
        String indexLine = sample.lines().filter(l -> l.startsWith("index ")).findFirst().orElseThrow();
        List<String> index = Files.readAllLines(Path.of(indexLine.substring("index ".length()).split("\\s+")[0]));
        assertEquals(index.toString(), 3, index.size());
        assertTrue(index.get(0), index.get(0).startsWith("file\tcondition\t") && index.get(0).contains("colour"));
        assertTrue(index.get(1), index.get(1).matches("level-\\d+/000\\.png\tred(\t[01]?)+"));

        exportToMlMdmAndImportBack(shell, a);

        // a third party's sampler, built only against the contract, installed into the running runtime
        try {
            assertTrue(shell.run("mdm:install mdm-sampler-edm").contains("mdm.sample.edm"));
            assertTrue(shell.run("mdm:list").contains("edm-heun"));
            String edm = shell.run("mdm:sample --label red --n 2 --steps 3 --seed 5 --sampler edm-heun --out "
                    + MdmRuntime.WORK.resolve("edm-samples") + " " + a);
            assertTrue(edm, edm.contains("grid") && edm.contains("checker"));
        } finally {
            shell.run("mdm:uninstall mdm-sampler-edm");
        }
        assertTrue(shell.run("mdm:list").lines().noneMatch(l -> l.contains("edm-heun")));

        try {
            assertTrue(shell.run("mdm:install mdm-ablation-shifted-cosine").contains("mdm.sample.ablation"));
            String second = shell.run("mdm:train --wait --out runs/itest-b " + SPEC);
            assertTrue(second, second.contains("completed"));
        } finally {
            shell.run("mdm:uninstall mdm-ablation-shifted-cosine");
        }
        Path b = MdmRuntime.WORK.resolve("runs/itest-b");
        String usedA = Files.readString(a.resolve("experiment.json"));
        String usedB = Files.readString(b.resolve("experiment.json"));
        assertTrue(usedA, usedA.contains("\"schedule/cosine\" : \"mdm.schedules"));
        assertTrue(usedB, usedB.contains("\"schedule/cosine\" : \"mdm.sample.ablation"));
        List<Double> lossA = Itest.losses(a);
        List<Double> lossB = Itest.losses(b);
        assertEquals(lossA.size(), lossB.size());
        assertNotEquals("a different schedule gives different losses", lossA, lossB);
        // and after removal the spec resolves to the built-in cosine again
        assertTrue(shell.run("mdm:list").lines().filter(l -> l.contains("cosine")).count() == 1);
    }

    /**
     * mdm:export of the trained run writes ml-mdm's output folder, mdm:import of that folder gives back the
     * last checkpoint's model and EMA bit for bit, and a second export into the (now full) folder is refused
     * in one line without touching what is there.
     */
    private void exportToMlMdmAndImportBack(Shell shell, Path run) throws Exception {
        Path last = run.resolve("checkpoints/step-00000006");
        assertTrue("the run's last checkpoint", Files.isRegularFile(last.resolve("state.json")));
        Path out = MdmRuntime.WORK.resolve("export-a");
        String exported = shell.run("mdm:export " + run + " " + out);
        assertTrue(exported, exported.contains("exported " + last + " (step 6)"));
        assertTrue(exported, exported.contains("torchrun"));
        List<String> files = List.of("config.yaml", "vis_model_noema_000006.pth", "vis_model_000006.pth",
                "export.json");
        try (var listed = Files.list(out)) {
            assertEquals(new java.util.TreeSet<>(files),
                    listed.map(f -> f.getFileName().toString()).collect(java.util.stream.Collectors.toCollection(
                            java.util.TreeSet::new)));
        }
        var config = mdm.core.config.Json.read(out.resolve("config.yaml"));
        assertEquals(config.toString(), "nested_unet", config.path("model").asText());
        assertTrue(config.toString(), config.path("unet_config").has("inner_config")
                && config.path("diffusion_config").isObject());
        var manifest = mdm.core.config.Json.read(out.resolve("export.json"));
        assertEquals(manifest.toString(), 6, manifest.path("step").asInt());
        assertEquals(manifest.toString(), 3, manifest.path("sha256").size());

        Path back = MdmRuntime.WORK.resolve("imported/export-a");
        String imported = shell.run("mdm:import --ema " + out.resolve("vis_model_000006.pth") + " "
                + out.resolve("config.yaml") + " " + out.resolve("vis_model_noema_000006.pth") + " " + back);
        assertTrue(imported, imported.contains("checkpoint " + back));
        assertSameBits(last.resolve("model.safetensors"), back.resolve("model.safetensors"));
        assertSameBits(last.resolve("ema.safetensors"), back.resolve("ema.safetensors"));
        assertNotEquals("model and EMA differ after training, so both were carried",
                digest(back.resolve("model.safetensors")), digest(back.resolve("ema.safetensors")));
        String resampled = shell.run("mdm:sample --label 1 --n 2 --steps 3 --seed 5 --out "
                + MdmRuntime.WORK.resolve("export-a-samples") + " " + back);
        assertTrue(resampled, resampled.contains("grid"));

        byte[] before = Files.readAllBytes(out.resolve("vis_model_noema_000006.pth"));
        try {
            String again = shell.run("mdm:export " + run + " " + out);
            fail("an export into a full folder should fail but printed: " + again);
        } catch (Exception e) {
            String m = String.valueOf(e.getMessage());
            assertTrue(m, m.contains(out + " exists and is not empty") && m.contains("nothing was written"));
            assertTrue("one line: " + m, m.lines().count() == 1);
        }
        assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(out.resolve("vis_model_noema_000006.pth"))));
        assertTrue(shell.run("mdm:version").contains("PyTorch"));
    }

    /** The same tensors (names, dtypes, shapes, bytes) in two safetensors files. */
    private static void assertSameBits(Path a, Path b) {
        try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager()) {
            java.util.Map<String, ai.djl.ndarray.NDArray> x = mdm.core.io.Safetensors.read(a, m);
            java.util.Map<String, ai.djl.ndarray.NDArray> y = mdm.core.io.Safetensors.read(b, m);
            assertEquals(new java.util.ArrayList<>(x.keySet()), new java.util.ArrayList<>(y.keySet()));
            for (String k : x.keySet()) {
                assertEquals(k, x.get(k).getDataType(), y.get(k).getDataType());
                assertEquals(k, x.get(k).getShape(), y.get(k).getShape());
                assertEquals(a + " and " + b + " differ at " + k, x.get(k).toByteBuffer(), y.get(k).toByteBuffer());
            }
            assertTrue("a network has weights", !x.isEmpty());
        }
    }

    private static String digest(Path file) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(Files.readAllBytes(file)));
    }

    @Test
    public void badInputGivesClearMessagesAndTheShellStaysUp() throws Exception {
        Shell shell = new Shell(processor);
        expect(shell, "mdm:train /no/such/spec.yaml", "file not found");
        Path typo = write("typo.yaml", Files.readString(SPEC).replace("optimizer: {", "optimiser: {"));
        expect(shell, "mdm:train " + typo, "did you mean 'optimizer'");
        Path unknown = write("unknown.yaml", Files.readString(SPEC).replace("conditioner: class", "conditioner: clas"));
        expect(shell, "mdm:train " + unknown, "no conditioner named 'clas'");
        expect(shell, "mdm:train --steps many " + SPEC, "'many' is not a whole number");
        expect(shell, "mdm:sample " + MdmRuntime.WORK.resolve("nothing-here"), "does not exist");
        expect(shell, "mdm:install no-such-feature", "no feature 'no-such-feature'");

        // a checkpoint whose weights belong to another model
        String done = shell.run("mdm:train --wait --steps 2 --out runs/itest-other " + SPEC);
        assertTrue(done, done.contains("completed"));
        Path ckpt = MdmRuntime.WORK.resolve("runs/itest-other/checkpoints/step-00000002");
        Path foreign = Files.createTempDirectory(MdmRuntime.WORK, "foreign");
        for (Path f : Files.list(ckpt).toList()) {
            Files.copy(f, foreign.resolve(f.getFileName()));
        }
        Files.delete(foreign.resolve("ema.safetensors"));
        Files.copy(Itest.NESTED32_NPZ, foreign.resolve("model.npz"));
        Files.delete(foreign.resolve("model.safetensors"));
        writeSafetensorsFrom(foreign.resolve("model.npz"), foreign.resolve("model.safetensors"));
        expect(shell, "mdm:sample --n 1 --steps 2 " + foreign, "does not fit");

        assertTrue(shell.run("mdm:version").contains("PyTorch"));
    }

    /** Stopping a bundle whose component a job uses ends the job with a checkpoint and names the bundle. */
    @Test
    public void stoppingAComponentBundleEndsTheJobCleanly() throws Exception {
        Job job = trainer.start(new mdm.api.train.TrainRequest(SPEC, 400L, MdmRuntime.WORK.resolve("runs/itest-swap"), false));
        long deadline = System.currentTimeMillis() + 120_000;
        while (job.progress().step() < 2 && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
        Bundle schedules = bundle("mdm.schedules");
        schedules.stop();
        try {
            assertTrue(job.await(2, TimeUnit.MINUTES));
            assertEquals(JobState.STOPPED, job.state());
            assertTrue(job.reason().orElse(""), job.reason().orElse("").contains("mdm.schedules"));
            assertTrue(Files.list(job.output().resolve("checkpoints")).findAny().isPresent());
        } finally {
            schedules.start();
        }
        assertTrue(new Shell(processor).run("mdm:list").contains("deepfloyd"));
    }

    private Bundle bundle(String symbolicName) {
        for (Bundle b : context.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName())) {
                return b;
            }
        }
        throw new AssertionError("no bundle " + symbolicName);
    }

    private static void expect(Shell shell, String command, String fragment) {
        try {
            String out = shell.run(command);
            fail(command + " should fail but printed: " + out);
        } catch (Exception e) {
            String m = String.valueOf(e.getMessage());
            assertTrue(command + " -> " + m, m.contains(fragment));
        }
    }

    private static Path write(String name, String text) throws Exception {
        Path f = MdmRuntime.WORK.resolve(name);
        Files.createDirectories(f.getParent());
        Files.writeString(f, text);
        return f;
    }

    private static void writeSafetensorsFrom(Path npz, Path safetensors) {
        try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager()) {
            mdm.core.io.Safetensors.write(safetensors, mdm.core.io.Npz.read(npz, m));
        }
    }
}
