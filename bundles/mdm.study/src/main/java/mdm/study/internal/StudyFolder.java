package mdm.study.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import mdm.core.config.Json;

/**
 * The study folder's own files: {@code plan.json} (which study it holds, its budget, points, seeds
 * and every run with its folder and fingerprint: what {@code mdm:study --status} reads) and a copy
 * of the study file as it was started.
 */
final class StudyFolder {
    private StudyFolder() {
    }

    static void prepare(StudyPlan plan) {
        try {
            Files.createDirectories(plan.folder());
            Files.copy(plan.file(), plan.folder().resolve("study" + extension(plan.file())),
                    StandardCopyOption.REPLACE_EXISTING);
            Path tmp = plan.folder().resolve("." + StudyPlanner.PLAN_FILE + ".tmp");
            Files.writeString(tmp, Json.write(record(plan)));
            Files.move(tmp, plan.folder().resolve(StudyPlanner.PLAN_FILE), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the study folder " + plan.folder(), e);
        }
    }

    /**
     * The study file as a user would type it: relative to the working directory when inside it, so
     * that a committed study folder does not carry the paths of the machine it ran on.
     */
    static String shown(Path file) {
        Path cwd = Path.of("").toAbsolutePath();
        return (file.isAbsolute() && file.startsWith(cwd) ? cwd.relativize(file) : file).toString();
    }

    static ObjectNode record(StudyPlan plan) {
        ObjectNode root = Json.empty();
        root.put("study", plan.name());
        root.put("file", shown(plan.file()));
        ObjectNode b = root.putObject("budget");
        b.put("kind", plan.budget().key());
        b.put("amount", plan.budget().amount());
        b.put("text", plan.budget().describe());
        root.put("points", plan.points());
        ArrayNode seeds = root.putArray("seeds");
        plan.seeds().forEach(seeds::add);
        root.set("evaluation", Json.mapper().valueToTree(plan.evaluation()));
        ArrayNode arms = root.putArray("arms");
        for (StudyPlan.Arm a : plan.arms()) {
            ObjectNode an = arms.addObject();
            an.put("name", a.name());
            ArrayNode f = an.putArray("features");
            a.features().forEach(f::add);
            ArrayNode runs = an.putArray("runs");
            for (StudyPlan.Run r : a.runs()) {
                ObjectNode rn = runs.addObject();
                rn.put("seed", r.seed());
                rn.put("folder", plan.folder().relativize(r.folder(plan.folder())).toString());
                rn.put("total_steps", plan.budget().kind() == Budget.Kind.SECONDS ? 0 : r.totalSteps());
                rn.put("fingerprint", r.fingerprint());
            }
        }
        return root;
    }

    private static String extension(Path file) {
        String n = file.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(dot) : ".yaml";
    }
}
