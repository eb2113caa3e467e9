package mdm.api.study;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Runs studies ({@code mdm.kind=study}, {@code mdm.name=mdm}): each arm of a study file is trained
 * at the study's common budget for each seed, one after another, evaluated at the study's points
 * and reported together in the study folder. A study folder holds one study; starting the same
 * study again resumes it, reusing the finished training and evaluations.
 */
@ProviderType
public interface Studies {
    /**
     * Reads the study file and checks every arm (overrides, components, features, budget) and
     * the study folder, without training anything.
     *
     * @throws mdm.api.MdmException naming what is wrong and how to fix it
     */
    StudyStatus check(Path studyFile);

    /** Checks, then runs the study in the background (resuming what the folder already holds). */
    StudyRun start(Path studyFile);

    /** The study running now, if any (studies run one at a time). */
    Optional<StudyRun> running();

    /**
     * Where a study stands: from a study file or a study folder, or every study of the work folder
     * when {@code fileOrFolder} is null.
     */
    List<StudyStatus> status(Path fileOrFolder);
}
