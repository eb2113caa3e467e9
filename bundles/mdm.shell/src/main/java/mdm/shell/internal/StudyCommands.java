package mdm.shell.internal;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import mdm.api.MdmException;
import mdm.api.study.Studies;
import mdm.api.study.StudyRun;
import mdm.api.study.StudyStatus;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.runtime.ServiceComponentRuntime;

/** mdm:study: run, check, stop and watch studies (arms × seeds at one budget, evaluated and reported). */
@Component(service = StudyCommands.class, property = {
        "osgi.command.scope=mdm",
        "osgi.command.function=study"})
public class StudyCommands {
    private static final String NONE = "";

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile Studies studies;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile ServiceComponentRuntime components;
    private final boolean batch;

    @Activate
    public StudyCommands(BundleContext context) {
        this.batch = Boolean.parseBoolean(context.getProperty("mdm.batch"));
    }

    @Descriptor("run a study (resumes one started before), or show where studies stand")
    @Operands("[study] the study file (YAML or JSON); with --status also a study folder, or none for every study")
    public String study(
            @Descriptor("show where the study (or, without a file, every study of the work folder) stands")
            @Parameter(names = {"--status"}, presentValue = "true", absentValue = "false") boolean status,
            @Descriptor("check the study file (arms, overrides, components, features, budget, folder) without training")
            @Parameter(names = {"--check"}, presentValue = "true", absentValue = "false") boolean check,
            @Descriptor("stop the running study (its arm writes a checkpoint; starting it again resumes)")
            @Parameter(names = {"--stop"}, presentValue = "true", absentValue = "false") boolean stop,
            @Descriptor("follow the study until it ends (implied when ./mdm runs one command)")
            @Parameter(names = {"--wait", "-w"}, presentValue = "true", absentValue = "false") boolean wait,
            @Descriptor("the study file (YAML or JSON), or with --status a study file or folder")
            String... operands) throws InterruptedException {
        String file = TrainCommands.operands(StudyCommands.class, "study", operands)[0];
        Studies s = studies();
        Path path = file != null ? Path.of(file) : null;
        if (stop) {
            StudyRun r = s.running().orElseThrow(() -> new MdmException("no study is running"));
            r.stop();
            return "stopping study '" + r.name() + "' (the running arm writes a checkpoint first); "
                    + "mdm:study <file> resumes it";
        }
        if (status) {
            return table(s.status(path));
        }
        if (path == null) {
            throw new MdmException("give a study file, e.g. mdm:study samples/studies/quick.yaml; or mdm:study --status");
        }
        if (check) {
            StudyStatus st = s.check(path);
            return "study '" + st.name() + "' is valid: " + st.runs().size() + " runs, budget " + st.budget()
                    + ", folder " + st.folder() + "\n" + table(List.of(st));
        }
        StudyRun run = s.start(path);
        if (!wait && !batch) {
            return "started study '" + run.name() + "' in " + run.folder()
                    + "\n  mdm:study --status to follow it, mdm:study --stop to stop it";
        }
        return follow(run);
    }

    private String follow(StudyRun run) throws InterruptedException {
        PrintStream out = System.out;
        ConcurrentLinkedQueue<String> lines = new ConcurrentLinkedQueue<>();
        Consumer<String> listener = lines::add;
        run.addLogListener(listener);
        try {
            while (!run.await(batch ? 1000 : 250, TimeUnit.MILLISECONDS)) {
                drain(lines, out);
            }
        } catch (InterruptedException e) {
            out.println("\nno longer following study '" + run.name() + "'; it goes on: mdm:study --status");
            throw e;
        } finally {
            drain(lines, out);
            run.removeLogListener(listener);
        }
        StudyStatus st = run.status();
        String end = "study '" + run.name() + "' " + st.state() + run.reason().map(r -> ": " + r).orElse("")
                + "\n" + table(List.of(st));
        if (st.state().equals("failed")) {
            throw new MdmException(end);
        }
        return end;
    }

    private static void drain(ConcurrentLinkedQueue<String> lines, PrintStream out) {
        for (String l; (l = lines.poll()) != null; ) {
            out.println(l);
        }
    }

    static String table(List<StudyStatus> all) {
        if (all.isEmpty()) {
            return "no studies in the work folder (mdm:study <file> runs one)";
        }
        StringBuilder sb = new StringBuilder();
        for (StudyStatus st : all) {
            sb.append("study ").append(st.name()).append(": ").append(st.state());
            if (!st.budget().isEmpty()) {
                sb.append(", budget ").append(st.budget());
            }
            sb.append(", folder ").append(st.folder()).append('\n');
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"ARM", "SEED", "STEP", "POINTS", "STATE"});
            for (StudyStatus.Arm a : st.runs()) {
                rows.add(new String[] {a.arm(), String.valueOf(a.seed()),
                    a.totalSteps() > 0 ? a.step() + "/" + a.totalSteps() : String.valueOf(a.step()),
                    a.evaluated() + "/" + a.points(), a.state()});
            }
            if (rows.size() > 1) {
                sb.append(Tables.format(rows));
            }
            if (st.report() != null) {
                sb.append("report ").append(st.report()).append('\n');
            }
        }
        return sb.toString().stripTrailing();
    }

    private Studies studies() {
        Studies s = studies;
        if (s == null) {
            throw new MdmException("no study runner is available: " + ComponentHealth.why(components, Studies.class.getName()));
        }
        return s;
    }
}
