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
