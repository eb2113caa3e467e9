package mdm.itests;

import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Hashtable;
import java.util.stream.Stream;
import javax.inject.Inject;
import org.apache.felix.service.command.CommandProcessor;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * An ml-mdm model imported as a checkpoint, sampled from the shell, and used by the example
 * application bundle that knows only the API.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class EmbeddingIT {
    @Inject
    private CommandProcessor processor;
    @Inject
    private ConfigurationAdmin configurationAdmin;

    @Configuration
    public Option[] config() {
        Itest.writeNested32Npz();
        return MdmRuntime.options();
    }

    @Test
    public void importSampleAndEmbed() throws Exception {
        Shell shell = new Shell(processor);
        Path checkpoint = MdmRuntime.WORK.resolve("imported/nested32");
        String imported = shell.run("mdm:import --conditioner class --conditioner-options '{\"width\": 16}' --classes 15 "
                + Itest.SAMPLES.resolve("bench/nested32.yaml") + " "
                + Itest.NESTED32_NPZ + " " + checkpoint);
        assertTrue(imported, imported.contains("checkpoint"));
        String sampled = shell.run("mdm:sample --label 3 --n 2 --steps 4 " + checkpoint);
        assertTrue(sampled, sampled.contains("grid"));

        String installed = shell.run("mdm:install mdm-sample-embedding");
        assertTrue(installed, installed.contains("mdm.sample.embedding"));
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("checkpoint", checkpoint.toString());
        props.put("labels", new String[] {"1", "2"});
        props.put("count", 2);
        props.put("output", "embedding-itest");
        configurationAdmin.getConfiguration("mdm.sample.embedding", "?").update(props);
        Path out = MdmRuntime.WORK.resolve("embedding-itest");
        // 50 guided steps of the imported 32² model: over two minutes on two busy cores
        long deadline = System.currentTimeMillis() + 300_000;
        while (System.currentTimeMillis() < deadline && !hasGrid(out)) {
            Thread.sleep(200);
        }
        assertTrue("the embedding sample wrote a grid under " + out, hasGrid(out));
        shell.run("mdm:uninstall mdm-sample-embedding");
    }

    private static boolean hasGrid(Path out) throws Exception {
        if (!Files.isDirectory(out)) {
            return false;
        }
        try (Stream<Path> s = Files.walk(out)) {
            return s.anyMatch(p -> p.getFileName().toString().equals("grid.png"));
        }
    }
}
