package mdm.trainer.internal;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import mdm.api.MdmException;

/**
 * A checkpoint's {@code state.json}: where the run stood (step, stage, the generators' states, the
 * data position, optimiser and EMA counts), the plan it was following, and the SHA-256 of every
 * weights file beside it. Written and read only through this record.
 *
 * @param globalStep     optimiser steps done over all stages
 * @param stage          index of the stage the step belongs to
 * @param stageName      the stage's name in the spec
 * @param stageStep      steps done within that stage
 * @param stageSteps     the stage's planned length
 * @param plan           the planned length of every stage (null in checkpoints written before it was kept)
 * @param noiseRng       the noise generator's seed and counter
 * @param dropoutRng     the condition-dropout generator's seed and counter
 * @param data           the dataset stream's position
 * @param optimizerSteps AdamW's step count per parameter
 * @param emaUpdates     updates of the exponential moving average
 * @param isFinal        whether the run's planned steps were all done when it was written
 * @param imported       true for a checkpoint made by {@code mdm:import}
 * @param skippedSteps   optimiser steps skipped so far because the loss or gradient was not finite
 * @param sha256         file name → SHA-256 (hex) of each weights file (null in older checkpoints)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
record CheckpointState(
        @JsonProperty("global_step") long globalStep,
        @JsonProperty("stage") int stage,
        @JsonProperty("stage_name") String stageName,
        @JsonProperty("stage_step") long stageStep,
        @JsonProperty("stage_steps") long stageSteps,
        @JsonProperty("plan") List<Long> plan,
        @JsonProperty("noise_rng") List<Long> noiseRng,
        @JsonProperty("dropout_rng") List<Long> dropoutRng,
        @JsonProperty("data") DataPosition data,
        @JsonProperty("optimizer_steps") Map<String, Long> optimizerSteps,
        @JsonProperty("ema_updates") long emaUpdates,
        @JsonProperty("final") boolean isFinal,
        @JsonProperty("imported") Boolean imported,
        @JsonProperty("skipped_steps") long skippedSteps,
        @JsonProperty("sha256") Map<String, String> sha256) {

    /** The dataset stream's position. */
    record DataPosition(@JsonProperty("epoch") long epoch, @JsonProperty("index") long index) {
    }

    // absent numbers read as 0 (older checkpoints lack some fields); a malformed file is an error
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** The state of an imported model: step 0 of one stage, final. */
    static CheckpointState forImport() {
        return new CheckpointState(0, 0, null, 0, 0, null, null, null, null, null, 0, true, true, 0, null);
    }

    CheckpointState withChecksums(Map<String, String> checksums) {
        return new CheckpointState(globalStep, stage, stageName, stageStep, stageSteps, plan, noiseRng, dropoutRng,
                data, optimizerSteps, emaUpdates, isFinal, imported, skippedSteps,
                java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(checksums)));
    }

    String toJson() {
        try {
            return MAPPER.writeValueAsString(this);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write a checkpoint state", e);
        }
    }

    /** Reads {@code state.json}; a missing, truncated or malformed file is an error naming it. */
    static CheckpointState read(Path file) {
        try {
            CheckpointState s = MAPPER.readValue(file.toFile(), CheckpointState.class);
            if (s == null) {
                throw new MdmException(file + " is empty");
            }
            return s;
        } catch (IOException e) {
            throw new MdmException(file + " cannot be read: " + firstLine(e.getMessage()), e);
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unknown error";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
