package mdm.itests;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.inject.Inject;
import mdm.api.DjlRuntime;
import org.apache.felix.service.command.CommandProcessor;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.service.log.LoggerFactory;

/** The runtime boots from its features; DJL works offline inside OSGi; the shell answers. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class RuntimeIT {
    @Inject
    private DjlRuntime runtime;

    @Inject
    private CommandProcessor processor;

    @Inject
    private LoggerFactory logs;

    @Configuration
    public Option[] config() {
        return MdmRuntime.options();
    }

    /**
     * The log file of the work folder gets what is logged through the OSGi Log Service, with the stack
     * trace, and DJL's SLF4J messages from the engine's start (the console gets one line: expected).
     */
    @Test
    public void theRuntimeWritesItsLogFile() throws Exception {
        logs.getLogger(RuntimeIT.class).error("deliberate error from {}", "RuntimeIT",
                new IllegalStateException("only a test", new java.io.IOException("its cause")));
        Path file = MdmRuntime.WORK.resolve("logs/mdm.log");
        assertTrue(file + " exists", Files.isRegularFile(file));
        String log = Files.readString(file);
        assertTrue(log, log.contains("] mdm.itests.RuntimeIT (") && log.contains("): deliberate error from RuntimeIT\n"
                + "java.lang.IllegalStateException: only a test\n\tat mdm.itests.RuntimeIT.theRuntimeWritesItsLogFile("));
        assertTrue(log, log.contains("Caused by: java.io.IOException: its cause"));
        assertTrue(log, log.contains(" INFO  [mdm.slf4j] ai.djl.pytorch.engine.PtEngine (")); // DJL through SLF4J
        assertTrue(log, log.contains("logging to " + file));
    }

    /** d/dx Σ(3x² + x) = 6x + 1, computed by the engine inside the framework, GC forced before backward. */
    @Test
    public void djlRuntimeComputesAKnownGradient() {
        assertTrue(runtime.engineVersion(), runtime.engineVersion().startsWith("PyTorch 2.5.1"));
        try (NDManager m = runtime.newManager()) {
            NDArray x = m.create(new float[] {1f, -2f, 0.5f});
            x.setRequiresGradient(true);
            NDArray three = m.full(new Shape(), 3f);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y = x.square().mul(three).add(x).sum();
                System.gc();
                gc.backward(y);
            }
            assertArrayEquals(new float[] {7f, -11f, 4f}, x.getGradient().toFloatArray(), 1e-6f);
        }
    }

    @Test
    public void versionNamesFrameworkDjlAndDevice() throws Exception {
        String out = new Shell(processor).run("mdm:version");
        assertTrue(out, out.contains("org.eclipse.osgi") && out.contains("DJL        0.33.0")
                && out.contains("PyTorch 2.5.1") && out.contains("cpu"));
    }

    @Test
    public void listShowsEveryKindOfComponent() throws Exception {
        String out = new Shell(processor).run("mdm:list");
        for (String row : new String[] {"backbone     nested_unet", "backbone     unet", "schedule     deepfloyd",
                "sampler      dpm-solver++", "conditioner  class", "conditioner  t5", "dataset      shapes",
                "evaluator    shapes", "trainer      mdm"}) {
            assertTrue(row + " in\n" + out, out.contains(row));
        }
    }

    /** Installing a feature adds its services; removing it takes them away again. */
    @Test
    public void installingAndRemovingAFeatureAddsAndRemovesItsServices() throws Exception {
        Shell shell = new Shell(processor);
        long before = shell.run("mdm:list").lines().filter(l -> l.contains("cosine")).count();
        shell.run("mdm:install mdm-ablation-shifted-cosine");
        String with = shell.run("mdm:list");
        assertEquals(before + 1, with.lines().filter(l -> l.contains("cosine")).count());
        assertTrue(with, with.lines().anyMatch(l -> l.contains("mdm.sample.ablation") && l.trim().endsWith("10")));
        assertTrue(shell.run("mdm:features").lines().anyMatch(l -> l.startsWith("mdm-ablation-shifted-cosine") && l.contains("yes")));
        shell.run("mdm:uninstall mdm-ablation-shifted-cosine");
        assertEquals(before, shell.run("mdm:list").lines().filter(l -> l.contains("cosine")).count());
    }

    @Test
    public void featuresListsTheBootFeatures() throws Exception {
        String out = new Shell(processor).run("mdm:features");
        assertTrue(out, out.lines().anyMatch(l -> l.startsWith("mdm-framework") && l.contains("yes")));
        assertEquals(1, out.lines().filter(l -> l.startsWith("FEATURE")).count());
    }
}
