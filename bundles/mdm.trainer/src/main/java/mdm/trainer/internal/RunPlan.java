package mdm.trainer.internal;

import java.nio.file.Path;
import java.util.Arrays;
import mdm.api.MdmException;

/**
 * How many steps each stage trains, and where a run starts: at step 0, or where a checkpoint left
 * it. A resumed run trains to the requested total: the stages it finished keep the lengths they
 * had, the stages after the current one get their share of the new plan, and the current stage
 * takes what remains. A total the run has already passed is refused.
 *
 * @param stageSteps steps of each stage
 * @param stage      the stage to start in
 * @param stageStep  steps already done in that stage
 * @param globalStep steps already done in all stages
 */
record RunPlan(long[] stageSteps, int stage, long stageStep, long globalStep) {

    long total() {
        return Arrays.stream(stageSteps).sum();
    }

    /** A run from the beginning. */
    static RunPlan fresh(long[] requested) {
        return new RunPlan(requested.clone(), 0, 0, 0);
    }

    /**
     * A run continuing from {@code state} towards the total of {@code requested} (the spec's lengths,
     * or scaled to a {@code --steps} total).
     */
    static RunPlan resumed(long[] requested, CheckpointState state, Path out) {
        int n = requested.length;
        int s = state.stage();
        if (s >= n) {
            throw new MdmException("the checkpoint in " + out + " is in stage " + (s + 1) + " but the spec has " + n
                    + " stages: resume with the spec the run was started with");
        }
        long total = Arrays.stream(requested).sum();
        long done = state.globalStep();
        long[] steps = requested.clone();
        long before = 0;
        for (int i = 0; i < s; i++) {
            // finished stages keep their length: from the plan the run followed, or what the steps imply
            Long kept = state.plan() != null && state.plan().size() == n ? state.plan().get(i) : null;
            steps[i] = kept != null ? kept : requested[i];
            before += steps[i];
        }
        if (state.plan() == null && s > 0) {
            // an older checkpoint without its plan: the earlier stages hold whatever preceded this stage
            long earlier = done - state.stageStep();
            steps[s - 1] += earlier - before;
            before = earlier;
        }
        long after = 0;
        for (int i = s + 1; i < n; i++) {
            after += steps[i];
        }
        long current = total - before - after;
        if (total < done || current < state.stageStep()) {
            throw new MdmException("the run in " + out + " is at step " + done + " (stage " + (s + 1) + " of " + n
                    + ", step " + state.stageStep() + " of it): a total of " + total + " steps cannot continue it"
                    + (total < done ? "" : " once the later stages have their share")
                    + "; give a larger --steps, or train into a new output folder");
        }
        steps[s] = current;
        long stageStep = state.stageStep();
        int stage = s;
        if (stageStep >= steps[s]) {
            stage++;
            stageStep = 0;
        }
        return new RunPlan(steps, stage, stageStep, done);
    }
}
