package mdm.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.Test;

/**
 * The shell as a user meets it: {@code ./mdm} started as a process, interactive (commands typed on
 * its standard input) and with one command line. {@code exit} leaves with its status, {@code help}
 * describes {@code mdm:import}, and a command without its operands names them.
 */
public class ShellIT {
    @Test
    public void interactiveShellHelpsAndExits() throws Exception {
        Path work = work("interactive");
        Process p = launch(work, "interactive.log");
        p.getOutputStream().write("help mdm:import\nmdm:import\nexit 3\n".getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().flush();
        assertTrue("exit ends the runtime", p.waitFor(3, TimeUnit.MINUTES));
        String out = Files.readString(work.resolve("interactive.log"));
        assertEquals(out, 3, p.exitValue());
        assertTrue(out, out.contains("usage: mdm:import [options] <ml-mdm yaml> <weights> <checkpoint dir>"));
        assertTrue(out, out.contains("mdm:import needs <ml-mdm yaml>, <weights> and <checkpoint dir>"));
        assertFalse(out, out.contains("Cannot coerce"));
    }

    @Test
    public void oneCommandLineHelpsAndNamesWhatIsMissing() throws Exception {
        Path work = work("batch");
        Process help = launch(work, "help.log", "help", "mdm:import");
        assertTrue(help.waitFor(3, TimeUnit.MINUTES));
        String out = Files.readString(work.resolve("help.log"));
        assertEquals(out, 0, help.exitValue());
        assertTrue(out, out.contains("mdm:import - turn an ml-mdm model"));
        assertTrue(out, out.contains("<checkpoint dir>   the checkpoint folder to create"));

        Process missing = launch(work, "import.log", "mdm:import", "model.yaml");
        assertTrue(missing.waitFor(3, TimeUnit.MINUTES));
        out = Files.readString(work.resolve("import.log"));
        assertEquals(out, 1, missing.exitValue());
        assertTrue(out, out.contains("error: mdm:import needs <weights> and <checkpoint dir>"));
    }

    private static Path work(String name) throws IOException {
        return Files.createDirectories(Path.of(System.getProperty("mdm.itest.work", "target/work"),
                "shell-" + name + "-" + System.currentTimeMillis()).toAbsolutePath());
    }

    private static Process launch(Path work, String log, String... command) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-Djava.awt.headless=true", "-Dmdm.home=" + MdmRuntime.HOME, "-Dmdm.work=" + work,
                "-Dorg.osgi.service.http.port=0",
                "-cp", MdmRuntime.HOME.resolve("lib") + File.separator + "*", "mdm.runtime.Launcher"));
        for (String key : new String[] {"DJL_CACHE_DIR", "ENGINE_CACHE_DIR"}) {
            if (System.getProperty(key) != null) {
                cmd.add(cmd.size() - 1, "-D" + key + "=" + System.getProperty(key));
            }
        }
        cmd.addAll(List.of(command));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(work.resolve(log).toFile()).start();
    }
}
