package mdm.study.internal;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * A study file as written (YAML or JSON). Only {@code arms}, {@code budget} and {@code evaluation}
 * are required; paths are relative to the study file, the folder to the work folder.
 */
record StudyFile(
        @JsonProperty("name") String name,
        @JsonProperty("description") String description,
        /** the study folder, relative to the work folder (default studies/<name>) */
        @JsonProperty("folder") String folder,
        /** the spec every arm starts from unless it names its own */
        @JsonProperty("base") String base,
        /** overrides applied to every arm before its own (dotted keys) */
        @JsonProperty("common") JsonNode common,
        /** a count (seeds 1..n) or a list of seeds */
        @JsonProperty("seeds") JsonNode seeds,
        @JsonProperty("budget") BudgetFile budget,
        @JsonProperty("evaluation") EvaluationFile evaluation,
        @JsonProperty("arms") List<ArmFile> arms) {

    /** Exactly one of the three. */
    record BudgetFile(
            @JsonProperty("images") Long images,
            @JsonProperty("steps") Long steps,
            @JsonProperty("seconds") Long seconds) {
    }

    record EvaluationFile(
            /** evaluation points at equal fractions of the budget */
            @JsonProperty("points") Integer points,
            /** the same as a percentage, e.g. "10%" (= 10 points) */
            @JsonProperty("every") String every,
            @JsonProperty("n") Integer n,
            @JsonProperty("metrics") List<String> metrics,
            @JsonProperty("steps") Integer steps,
            @JsonProperty("guidance") Double guidance,
            @JsonProperty("seed") Long seed,
            @JsonProperty("batch_size") Integer batchSize,
            @JsonProperty("feature_network") String featureNetwork,
            @JsonProperty("ema") Boolean ema) {
    }

    record ArmFile(
            @JsonProperty("name") String name,
            @JsonProperty("description") String description,
            /** the arm's own spec (else the study's base) */
            @JsonProperty("spec") String spec,
            /** dotted keys into the spec, e.g. components.backbone: unet */
            @JsonProperty("overrides") JsonNode overrides,
            /** features installed while this arm trains and is evaluated */
            @JsonProperty("features") List<String> features) {
    }
}
