package mdm.study.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import mdm.api.MdmException;
import mdm.api.study.StudyStatus;
import mdm.core.config.Json;

/** Where a study stands, read from its folder alone (plan.json, checkpoints, study-run.json). */
final class StudyStatusReader {
    private StudyStatusReader() {
    }

    static StudyStatus status(StudyPlan plan, String running) {
        if (!Files.isRegularFile(plan.folder().resolve(StudyPlanner.PLAN_FILE))) {
            List<StudyStatus.Arm> runs = new ArrayList<>();
            for (StudyPlan.Arm a : plan.arms()) {
                for (StudyPlan.Run r : a.runs()) {
                    runs.add(new StudyStatus.Arm(a.name(), r.seed(), 0,
                            plan.budget().kind() == Budget.Kind.SECONDS ? 0 : r.totalSteps(), 0, plan.points(), "waiting"));
                }
            }
            return new StudyStatus(plan.name(), plan.folder(), running == null ? "not started" : running,
                    plan.budget().describe(), runs, null);
        }
        return read(plan.folder(), running);
    }

    /** @param running the state of the study if it runs in this runtime, else null */
    static StudyStatus read(Path folder, String running) {
        Path planFile = folder.resolve(StudyPlanner.PLAN_FILE);
        if (!Files.isRegularFile(planFile)) {
            throw new MdmException(folder + " is not a study folder (it has no " + StudyPlanner.PLAN_FILE + ")");
        }
        JsonNode plan = Json.read(planFile);
        int points = plan.path("points").asInt();
        List<StudyStatus.Arm> runs = new ArrayList<>();
        boolean all = true;
        boolean any = false;
        for (JsonNode a : plan.path("arms")) {
            for (JsonNode r : a.path("runs")) {
                Path run = folder.resolve(r.path("folder").asText());
                RunState rs = RunState.load(run);
                long step = RunState.Checkpoints.latest(run);
                int evaluated = rs.evaluated();
                String state = evaluated >= points ? "done"
                        : evaluated > 0 || RunState.Checkpoints.finished(run) ? "evaluating"
                        : step > 0 ? "training" : "waiting";
                all &= state.equals("done");
                any |= !state.equals("waiting");
                runs.add(new StudyStatus.Arm(a.path("name").asText(), r.path("seed").asLong(), step,
                        r.path("total_steps").asLong(), evaluated, points, state));
            }
        }
        Path report = folder.resolve("report.md");
        String state = running != null ? running : all ? "completed" : any ? "partial" : "not started";
        return new StudyStatus(plan.path("study").asText(), folder, state, plan.path("budget").path("text").asText(),
                runs, Files.isRegularFile(report) ? report : null);
    }
}
