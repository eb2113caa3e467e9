package mdm.study.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;

/**
 * A checked study: every arm × seed with its resolved spec, stage lengths and evaluation points.
 *
 * @param name       the study's name
 * @param file       the study file
 * @param folder     the study folder
 * @param budget     the common budget
 * @param evaluation how each point is measured
 * @param points     evaluation points (equal fractions of the budget)
 * @param seeds      seeds of every arm
 * @param arms       the arms in the order they run
 * @param source     the study file as written
 */
record StudyPlan(String name, String description, Path file, Path folder, Budget budget, Evaluation evaluation,
                 int points, List<Long> seeds, List<Arm> arms, JsonNode source) {

    /** Measuring settings shared by every point of every arm (so the figures compare). */
    record Evaluation(int n, List<String> metrics, Integer steps, Double guidance, long seed, int batchSize,
                      String featureNetwork, boolean ema) {
    }

    record Arm(String name, String description, List<String> features, List<Run> runs) {
    }

    /**
     * One arm trained with one seed.
     *
     * @param spec          the resolved spec (written to spec.yaml in the run folder)
     * @param stageSteps    steps of each stage
     * @param imagesPerStep training images per optimiser step of each stage
     * @param pointSteps    the global step of each evaluation point (empty for a wall-clock budget)
     * @param parameters    trained parameters of the final stage's network
     * @param fingerprint   a hash of the spec and evaluation settings: a run folder written with
     *                      another one belongs to another study
     */
    record Run(String arm, long seed, ObjectNode spec, long[] stageSteps, long[] imagesPerStep, long[] pointSteps,
               String fingerprint) {
        Path folder(Path studyFolder) {
            return studyFolder.resolve("runs").resolve(arm).resolve("seed-" + seed);
        }

        long totalSteps() {
            long t = 0;
            for (long s : stageSteps) {
                t += s;
            }
            return t;
        }

        /** Training images seen after {@code globalStep} optimiser steps. */
        long imagesSeen(long globalStep) {
            long seen = 0;
            long left = globalStep;
            for (int i = 0; i < stageSteps.length && left > 0; i++) {
                long s = Math.min(left, stageSteps[i]);
                seen += s * imagesPerStep[i];
                left -= s;
            }
            if (left > 0) {
                seen += left * imagesPerStep[imagesPerStep.length - 1];
            }
            return seen;
        }
    }

    /** The label of point k (1-based), e.g. "30 %". */
    String pointLabel(int k) {
        double pct = 100.0 * k / points;
        return (pct == Math.rint(pct) ? String.format("%d", (long) pct) : String.format("%.1f", pct)) + " %";
    }
}
