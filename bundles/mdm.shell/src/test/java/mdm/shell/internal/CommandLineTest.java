package mdm.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import mdm.api.train.ExportRequest;
import mdm.api.train.ExportResult;
import mdm.api.train.ModelExporter;
import mdm.api.train.TrainRequest;
import mdm.features.ComponentDirectory;
import mdm.features.FeatureManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The shell's commands parsed by Gogo's own command processor, as in the runtime: every command's
 * help, the usage naming what is missing, {@code exit}, and that well-formed lines still reach the
 * services with the values typed.
 */
class CommandLineTest {
    /** Every mdm command of this bundle, with the operands it needs at least. */
    static final Map<String, Integer> COMMANDS = Map.ofEntries(Map.entry("train", 1), Map.entry("jobs", 0),
            Map.entry("status", 1), Map.entry("stop", 1), Map.entry("sample", 1), Map.entry("import", 3), Map.entry("export", 2),
            Map.entry("preview", 1), Map.entry("list", 0), Map.entry("features", 0), Map.entry("install", 1),
            Map.entry("uninstall", 1), Map.entry("version", 0), Map.entry("eval", 0), Map.entry("featurenet", 1),
            Map.entry("study", 0));

    private GogoShell shell;
    private FakeTraining training;
    private ModelCommands models;
    private FakeExporter exporter;

    @BeforeEach
    void shell() {
        shell = new GogoShell();
        training = new FakeTraining();
        var context = shell.context(Map.of("mdm.batch", "true", "mdm.work", "target/work"));
        TrainCommands train = new TrainCommands(context);
        GogoShell.inject(train, "trainer", training);
        GogoShell.inject(train, "generator", training);
        models = new ModelCommands(context);
        exporter = new FakeExporter();
        GogoShell.inject(models, "exporter", exporter);
        RuntimeCommands runtime = new RuntimeCommands(context, unsupported(FeatureManager.class),
                unsupported(ComponentDirectory.class));
        shell.add("mdm", train, "train", "jobs", "status", "stop", "sample")
                .add("mdm", models, "import", "export", "preview")
                .add("mdm", runtime, "list", "features", "install", "uninstall", "version")
                .add("mdm", new EvalCommands(context), "eval", "featurenet")
                .add("mdm", new StudyCommands(context), "study")
                .add("gogo", new HelpCommand(), "help")
                .add("gogo", new ExitCommand(context), "exit");
    }

    @AfterEach
    void close() {
        shell.close();
    }

    @Test
    void everyCommandWithoutItsOperandsNamesWhatIsMissing() {
        for (var c : COMMANDS.entrySet()) {
            if (c.getValue() == 0) {
                continue;
            }
            String command = "mdm:" + c.getKey();
            String message = shell.error(command);
            assertTrue(message.startsWith(command + " needs <"), command + ": " + message);
            assertTrue(message.contains("\nusage: " + command + " "), command + ": " + message);
            assertFalse(message.contains("Cannot coerce"), message);
        }
        assertEquals("""
                mdm:import needs <ml-mdm yaml>, <weights> and <checkpoint dir>
                usage: mdm:import [options] <ml-mdm yaml> <weights> <checkpoint dir>
                (help mdm:import describes every option)""", shell.error("mdm:import"));
        assertTrue(shell.error("mdm:import model.yaml --size 64").startsWith(
                "mdm:import needs <weights> and <checkpoint dir>\n"));
        assertTrue(shell.error("mdm:train --wait --steps 5").startsWith("mdm:train needs <spec>\n"));
    }

    @Test
    void strayWordsAreNamed() {
        assertTrue(shell.error("mdm:train spec.yaml --stpes 20").startsWith("mdm:train: unknown option --stpes\n"));
        assertTrue(shell.error("mdm:train a.yaml b.yaml").startsWith(
                "mdm:train: unexpected operand 'b.yaml' (it takes <spec>)\n"));
        assertTrue(shell.error("mdm:train spec.yaml --steps").startsWith(
                "wrong arguments for mdm:train: option --steps needs a value\nusage: mdm:train [options] <spec>"),
                shell.error("mdm:train spec.yaml --steps"));
        assertTrue(shell.error("mdm:jobs everything").startsWith(
                "wrong arguments for mdm:jobs: the words do not fit its options and operands\nusage: mdm:jobs\n"),
                shell.error("mdm:jobs everything"));
        assertTrue(training.trainRequests.isEmpty());
    }

    @Test
    void wellFormedLinesReachTheTrainerAsTyped() throws Exception {
        // the line CrashResumeIT runs, options before and after the spec
        shell.run("mdm:train --wait --steps 40 --out /tmp/runs/crash /tmp/crash.yaml");
        shell.run("mdm:train spec.yaml --resume -s 7");
        shell.run("mdm:train spec.yaml");
        assertEquals(List.of(new TrainRequest(Path.of("/tmp/crash.yaml"), 40L, Path.of("/tmp/runs/crash"), false),
                        new TrainRequest(Path.of("spec.yaml"), 7L, null, true),
                        new TrainRequest(Path.of("spec.yaml"), null, null, false)),
                training.trainRequests);
    }

    @Test
    void followingAJobWithoutAnEventYetDoesNotFail() throws Exception {
        training.message = null; // a job that has taken a step but reported no event: the shell used to throw NPE
        String out = shell.run("mdm:train spec.yaml --wait");
        assertTrue(out.contains("job tiny-1 completed"), out);
        training.message = "stage 1/1 'a': unet at [16]";
        out = shell.run("mdm:train spec.yaml --wait");
        assertTrue(out.contains("[tiny-2] stage 1/1 'a': unet at [16]"), out);
    }

    @Test
    void guidanceMustBeFinite() {
        for (String g : new String[] {"NaN", "Infinity", "-Infinity"}) {
            assertEquals("--guidance must be a finite number (1 = no guidance), got " + g,
                    shell.error("mdm:sample runs/x --guidance " + g));
            assertTrue(shell.error("mdm:eval runs/x --guidance " + g).startsWith("--guidance must be a finite number"));
        }
        assertTrue(training.generationRequests.isEmpty());
        assertTrue(shell.error("mdm:sample runs/x --guidance 2.5").contains("the fake generates nothing"));
        assertEquals(2.5, training.generationRequests.get(0).guidance());
    }

    @Test
    void helpDescribesEveryCommand() throws Exception {
        for (String c : COMMANDS.keySet()) {
            String help = shell.run("help mdm:" + c);
            assertTrue(help.startsWith("mdm:" + c + " - "), help);
            assertTrue(help.contains("\nusage: mdm:" + c), help);
            assertEquals(help, shell.run("help " + c), "the scope may be left out");
        }
        String help = shell.run("help mdm:import");
        for (String part : new String[] {"<ml-mdm yaml>", "<weights>", "<checkpoint dir>", "--conditioner-options <value>",
                "--classes <value>", "the checkpoint folder to create"}) {
            assertTrue(help.contains(part), part + " in " + help);
        }
        assertTrue(shell.run("help mdm:train").contains("--wait, -w "));
        String all = shell.run("help");
        for (String c : COMMANDS.keySet()) {
            assertTrue(all.contains("mdm:" + c + " "), c + " in " + all);
        }
        assertTrue(shell.error("mdm:import --help").startsWith("mdm:import - turn an ml-mdm model"));
        assertTrue(shell.error("help mdm:imprt").startsWith("no command 'mdm:imprt'; did you mean 'mdm:import'?"));
    }

    @Test
    void exportReachesTheExporterAndReportsWhatWasLeftBehind() throws Exception {
        assertTrue(shell.error("mdm:export runs/x").startsWith("mdm:export needs <dir>\n"));
        String out = shell.run("mdm:export runs/x/checkpoints/step-00000020 out/ml-mdm");
        assertEquals(List.of(new ExportRequest(Path.of("runs/x/checkpoints/step-00000020"), Path.of("out/ml-mdm"),
                "ml-mdm")), exporter.requests);
        assertTrue(out.contains("vis_model_noema_000020.pth"), out);
        assertTrue(out.contains("not carried over:\n  - the optimiser state"), out);
        assertTrue(out.contains("--pretrained-vision-file"), out);
        assertEquals("unknown export format 'onnx': the formats are ml-mdm",
                shell.error("mdm:export runs/x out --format onnx"));
        String help = shell.run("help mdm:export");
        assertTrue(help.contains("<checkpoint>") && help.contains("<dir>") && help.contains("--format"), help);
        assertTrue(shell.run("help mdm:import").contains("--ema <value>"));
    }

    /** Records requests; refuses any format but ml-mdm as the real exporter does. */
    static final class FakeExporter implements ModelExporter {
        final List<ExportRequest> requests = new java.util.ArrayList<>();

        @Override
        public List<String> formats() {
            return List.of("ml-mdm");
        }

        @Override
        public ExportResult exportModel(ExportRequest request) {
            if (!formats().contains(request.format())) {
                throw new mdm.api.MdmException("unknown export format '" + request.format()
                        + "': the formats are ml-mdm");
            }
            requests.add(request);
            return new ExportResult(request.output(), List.of("config.yaml", "vis_model_noema_000020.pth",
                    "vis_model_000020.pth", "export.json"), request.checkpoint(), 20,
                    List.of("the optimiser state"));
        }
    }

    @Test
    void exitStopsTheRuntime() throws Exception {
        String out = shell.run("exit");
        assertTrue(out.contains("stopping the runtime"), out);
        assertEquals(List.of("stop"), shell.systemBundleCalls);
        assertTrue(shell.error("exit now").startsWith("exit status 'now' is not a whole number"));
    }

    @Test
    void operandsAreCheckedAgainstTheirDeclaration() {
        assertEquals(List.of("a", "b", "c"), List.of(CommandUsage.operands(ModelCommands.class, "mdm", "import",
                new String[] {"a", "b", "c"})));
        String[] eval = CommandUsage.operands(EvalCommands.class, "mdm", "eval", new String[0]);
        assertEquals(1, eval.length);
        assertNull(eval[0]);
        UsageException e = assertThrows(UsageException.class,
                () -> CommandUsage.operands(TrainCommands.class, "mdm", "status", null));
        assertEquals(e.getMessage(), e.toString(), "the interactive shell prints toString(): no class name");
    }

    @SuppressWarnings("unchecked")
    private static <T> T unsupported(Class<T> type) {
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (p, m, a) -> {
            throw new UnsupportedOperationException(m.getName());
        });
    }
}
