package mdm.api.study;

import java.nio.file.Path;
import java.util.List;

/**
 * Where a study stands.
 *
 * @param name   the study's name
 * @param folder its folder
 * @param state  {@code not started}, {@code running}, {@code stopped}, {@code failed}, {@code partial} or {@code completed}
 * @param budget the common budget in words, e.g. {@code 20,000 images}
 * @param runs   every arm × seed
 * @param report report.md when it has been written, else null
 */
public record StudyStatus(String name, Path folder, String state, String budget, List<Arm> runs, Path report) {
    public StudyStatus {
        runs = List.copyOf(runs);
    }

    /**
     * One arm trained with one seed.
     *
     * @param arm        the arm's name
     * @param seed       its seed
     * @param step       optimiser steps done (from its newest checkpoint)
     * @param totalSteps optimiser steps of the budget (0 for a wall-clock budget)
     * @param evaluated  evaluation points measured
     * @param points     evaluation points of the study
     * @param state      {@code waiting}, {@code training}, {@code evaluating} or {@code done}
     */
    public record Arm(String arm, long seed, long step, long totalSteps, int evaluated, int points, String state) {
    }
}
