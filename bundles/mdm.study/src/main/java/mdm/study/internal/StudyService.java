package mdm.study.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import mdm.api.Components;
import mdm.api.MdmException;
import mdm.api.eval.CheckpointEvaluator;
import mdm.api.study.Studies;
import mdm.api.study.StudyRun;
import mdm.api.study.StudyStatus;
import mdm.api.train.Trainer;
import mdm.core.config.Json;
import mdm.features.FeatureManager;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * The study runner: checks study files, runs one study at a time on its own thread through the
 * trainer and the checkpoint evaluator, and reads the status of the studies in
 * {@code <work>/studies/}. Studies run in the framework that runs everything else, so an arm can
 * install a feature (a different component) for its duration.
 */
@Component(service = Studies.class, property = {Components.KIND + "=study", Components.NAME + "=mdm"})
public class StudyService implements Studies {
    @Reference
    private Trainer trainer;
    @Reference
    private CheckpointEvaluator evaluator;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile FeatureManager featureManager;

    private Path work;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "mdm-study");
        t.setDaemon(true);
        return t;
    });
    private volatile StudyExecution current;

    @Activate
    void activate(BundleContext context) {
        String w = context.getProperty("mdm.work");
        this.work = Path.of(w == null ? "work" : w).toAbsolutePath().normalize();
    }

    @Deactivate
    void deactivate() {
        StudyExecution c = current;
        if (c != null) {
            c.stop();
            try {
                c.await(120, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        worker.shutdownNow();
    }

    private StudyPlanner planner() {
        return new StudyPlanner(spec -> StudyPlanner.Stages.of(trainer.validate(spec)), new FeatureSwitch(() -> featureManager), work);
    }

    @Override
    public StudyStatus check(Path studyFile) {
        StudyPlan plan = planner().plan(studyFile);
        StudyExecution c = current;
        return StudyStatusReader.status(plan, c != null && c.folder().equals(plan.folder()) ? "running" : null);
    }

    @Override
    public synchronized StudyRun start(Path studyFile) {
        StudyExecution c = current;
        if (c != null) {
            throw new MdmException("study '" + c.name() + "' is running (studies run one at a time): wait for it, "
                    + "or mdm:study --stop to stop it (it resumes when started again)");
        }
        StudyPlan plan = planner().plan(studyFile);
        StudyExecution run = new StudyExecution(plan, trainer, evaluator, new FeatureSwitch(() -> featureManager));
        current = run;
        worker.submit(() -> {
            try {
                run.run();
            } finally {
                synchronized (this) {
                    if (current == run) {
                        current = null;
                    }
                }
            }
        });
        return run;
    }

    @Override
    public Optional<StudyRun> running() {
        return Optional.ofNullable(current);
    }

    @Override
    public List<StudyStatus> status(Path fileOrFolder) {
        StudyExecution c = current;
        if (fileOrFolder == null) {
            List<StudyStatus> out = new ArrayList<>();
            Path studies = work.resolve("studies");
            if (Files.isDirectory(studies)) {
                try (Stream<Path> s = Files.list(studies)) {
                    for (Path p : s.sorted().toList()) {
                        if (Files.isRegularFile(p.resolve(StudyPlanner.PLAN_FILE))) {
                            out.add(StudyStatusReader.read(p, running(c, p)));
                        }
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            if (c != null && out.stream().noneMatch(st -> st.folder().equals(c.folder()))) {
                out.add(c.status());
            }
            return out;
        }
        Path p = fileOrFolder.isAbsolute() ? fileOrFolder : resolveRelative(fileOrFolder);
        if (Files.isDirectory(p)) {
            return List.of(StudyStatusReader.read(p, running(c, p)));
        }
        if (!Files.isRegularFile(p)) {
            throw new MdmException("no study file or folder " + p + ": give a study file (e.g. samples/studies/quick.yaml)"
                    + " or a study folder (e.g. work/studies/quick)");
        }
        // a study file: its folder, as the file names it (without checking its arms against the registry)
        StudyFile f = Json.bind(Json.read(p), StudyFile.class, "study");
        String name = f.name() != null ? f.name() : p.getFileName().toString().replaceFirst("\\.[^.]*$", "");
        Path folder = work.resolve(f.folder() != null ? f.folder() : "studies/" + name).normalize();
        if (!Files.isRegularFile(folder.resolve(StudyPlanner.PLAN_FILE))) {
            return List.of(new StudyStatus(name, folder, "not started", "", List.of(), null));
        }
        return List.of(StudyStatusReader.read(folder, running(c, folder)));
    }

    private Path resolveRelative(Path p) {
        Path cwd = p.toAbsolutePath().normalize();
        return Files.exists(cwd) ? cwd : work.resolve(p).normalize();
    }

    private static String running(StudyExecution c, Path folder) {
        return c != null && c.folder().equals(folder.toAbsolutePath().normalize()) ? "running" : null;
    }
}
