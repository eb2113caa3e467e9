package mdm.itests;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
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
import org.osgi.framework.Bundle;

/**
 * "GPU with your own PyTorch", rehearsed on the CPU inside OSGi: the runtime with mdm.djl.nonatives
 * (no natives in the bundle) starts its engine on DJL's CPU libtorch and libdjl_torch.so laid out in
 * a folder named by PYTORCH_LIBRARY_PATH, and trains a model through the shell.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class OwnPyTorchIT {
    @Inject
    private DjlRuntime runtime;

    @Inject
    private CommandProcessor processor;

    @Configuration
    public Option[] config() {
        return MdmRuntime.ownPyTorch();
    }

    @Test
    public void theNoNativesBundleRunsOnTheFolderNatives() throws Exception {
        Bundle djl = Engine.class.getClassLoader() instanceof org.osgi.framework.BundleReference r ? r.getBundle() : null;
        assertEquals("mdm.djl", djl.getSymbolicName());
        assertTrue(djl.getLocation(), djl.getLocation().contains("mdm.djl.nonatives"));
        assertNull("natives in the bundle", djl.getResource("native/lib/pytorch.properties"));
        assertNull("JNI in the bundle", djl.getResource("jnilib/pytorch.properties"));

        Path folder = Path.of(System.getProperty("mdm.itest.libtorch"));
        String version = new Shell(processor).run("mdm:version");
        assertTrue(version, version.contains("natives    libtorch " + System.getProperty("mdm.itest.pytorch.version")
                + " from " + folder + " (PYTORCH_LIBRARY_PATH), PYTORCH_FLAVOR cpu, JNI " + folder.resolve("libdjl_torch.so")));

        try (NDManager m = runtime.newManager()) {
            NDArray x = m.create(new float[] {1f, -2f, 0.5f});
            x.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y = x.mul(x).mul(m.full(new ai.djl.ndarray.types.Shape(), 3f)).add(x).sum();
                System.gc();
                gc.backward(y);
            }
            assertArrayEquals(new float[] {7f, -11f, 4f}, x.getGradient().toFloatArray(), 1e-6f);
        }

        // the fixture model trains a few steps and samples, through the bundles that use the engine
        String bench = new Shell(processor).run("mdm:bench --batches 1 --repeats 1 --sampling-steps 1 "
                + Itest.SAMPLES.resolve("bench/nested32.yaml"));
        assertTrue(bench, bench.matches("(?s).*nested32\\s+1\\s+[0-9.]+\\s+[0-9.]+.*"));
    }
}
