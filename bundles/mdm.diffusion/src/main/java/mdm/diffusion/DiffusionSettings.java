package mdm.diffusion;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import mdm.api.MdmException;
import mdm.api.Options;
import mdm.api.diffusion.PredictionType;
import mdm.api.diffusion.Thresholding;
import mdm.core.config.Json;

/**
 * The diffusion settings of an experiment, read from ml-mdm's {@code diffusion_config} mapping (with
 * its nested {@code sampler_config}) so that ml-mdm YAML loads unchanged. Defaults are ml-mdm's.
 *
 * @param numDiffusionSteps    N ({@code num_diffusion_steps}, default 32; released models 1000)
 * @param schedule             schedule component name: {@code schedule_type} lower-cased (DEEPFLOYD → deepfloyd)
 * @param scheduleOptions      options for the schedule component ({@code beta_start}/{@code beta_end} for ddpm,
 *                             plus our {@code schedule_options} mapping)
 * @param prediction           what the network predicts ({@code prediction_type})
 * @param lossTarget           the space the loss compares in ({@code loss_target_type}, default: prediction)
 * @param thresholding         x0 thresholding while sampling ({@code threshold_function}, default clip)
 * @param betaStart            ml-mdm {@code beta_start} (ddpm schedule only)
 * @param betaEnd              ml-mdm {@code beta_end} (ddpm schedule only)
 * @param rescaleSchedule      global shift of the schedule ({@code rescale_schedule}; > 1 divides SNR by it^p)
 * @param rescaleSignal        single-level models: the clean image is divided by it ({@code rescale_signal})
 * @param scheduleShifted      nested models: shift each level's schedule by its scale instead of scaling the signal
 * @param scheduleShiftedPower p of the shift SNR/s^p ({@code schedule_shifted_power})
 * @param modelOutputScale     k ≠ 0 soft-clips raw outputs to tanh(out/k)·k ({@code model_output_scale})
 * @param useVdmLossWeights    weight examples by the discrete VDM ELBO weight ({@code use_vdm_loss_weights})
 * @param useDoubleLoss        lower levels add their loss ({@code use_double_loss})
 * @param multiResWeights      per-level loss weights, highest first; empty = all 1 ({@code multi_res_weights} "16:4:1")
 * @param noUseResidual        must be true for nested models ({@code no_use_residual}; the residual path is broken upstream)
 * @param mixedRatio           cumulative, normalised batch fractions per level, highest first; empty = full batch
 *                             at every level ({@code mixed_ratio} "2:1" → [0.667, 1.0])
 * @param conditionDropout     our addition ({@code condition_dropout}, default 0.1): probability that a training
 *                             example sees the conditioner's unconditional input, for classifier-free guidance
 */
public record DiffusionSettings(
        int numDiffusionSteps,
        String schedule,
        Options scheduleOptions,
        PredictionType prediction,
        PredictionType lossTarget,
        Thresholding thresholding,
        double betaStart,
        double betaEnd,
        double rescaleSchedule,
        double rescaleSignal,
        boolean scheduleShifted,
        double scheduleShiftedPower,
        double modelOutputScale,
        boolean useVdmLossWeights,
        boolean useDoubleLoss,
        List<Double> multiResWeights,
        boolean noUseResidual,
        List<Double> mixedRatio,
        double conditionDropout) {

    public DiffusionSettings {
        multiResWeights = List.copyOf(multiResWeights);
        mixedRatio = List.copyOf(mixedRatio);
        scheduleOptions = scheduleOptions == null ? Options.empty() : scheduleOptions;
    }

    /** ml-mdm's defaults, with our condition dropout of 0.1. */
    public static DiffusionSettings defaults() {
        return parse(Options.empty());
    }

    /**
     * Reads ml-mdm's {@code diffusion_config} mapping; unknown keys are errors naming the nearest valid key.
     *
     * @throws MdmException naming the bad field and how to fix it
     */
    public static DiffusionSettings parse(Options diffusionConfig) {
        RawDiffusion d = Json.bind(diffusionConfig, RawDiffusion.class, "diffusion_config");
        RawSampler s = d.samplerConfig() == null ? Json.bind(Json.empty(), RawSampler.class, "sampler_config")
                : d.samplerConfig();

        int steps = orElse(s.numDiffusionSteps(), 32);
        if (steps < 1) {
            throw new MdmException("diffusion_config.sampler_config.num_diffusion_steps must be at least 1, got " + steps);
        }
        String schedule = scheduleName(s.scheduleType() == null ? "DDPM" : s.scheduleType());
        PredictionType prediction = PredictionType.parse(s.predictionType() == null ? "DDPM" : s.predictionType());
        PredictionType lossTarget = s.lossTargetType() == null ? prediction : PredictionType.parse(s.lossTargetType());
        Thresholding thresholding = Thresholding.parse(s.thresholdFunction() == null ? "CLIP" : s.thresholdFunction());
        double betaStart = orElse(s.betaStart(), 1e-4);
        double betaEnd = orElse(s.betaEnd(), 0.02);
        double rescaleSchedule = positive("sampler_config.rescale_schedule", orElse(s.rescaleSchedule(), 1.0));
        double rescaleSignal = positive("sampler_config.rescale_signal", orElse(s.rescaleSignal(), 1.0));
        double power = positive("sampler_config.schedule_shifted_power", orElse(s.scheduleShiftedPower(), 1.0));

        Options options = Options.empty();
        if (schedule.equals("ddpm")) {
            options = options.with("beta_start", betaStart).with("beta_end", betaEnd);
        }
        if (s.scheduleOptions() != null) {
            if (!s.scheduleOptions().isObject()) {
                throw new MdmException("diffusion_config.sampler_config.schedule_options must be a mapping of the '"
                        + schedule + "' schedule's options");
            }
            options = options.merge(Json.options(s.scheduleOptions()));
        }

        double outputScale = orElse(d.modelOutputScale(), 0.0);
        if (outputScale < 0) {
            throw new MdmException("diffusion_config.model_output_scale must be 0 (off) or positive, got " + outputScale);
        }
        boolean doubleLoss = orElse(d.useDoubleLoss(), false);
        List<Double> weights = d.multiResWeights() == null ? List.of()
                : ratios("multi_res_weights", d.multiResWeights());
        if (!weights.isEmpty() && !doubleLoss) {
            throw new MdmException("diffusion_config.multi_res_weights is set but use_double_loss is false: the lower"
                    + " levels would not be trained. Set use_double_loss: true or remove multi_res_weights.");
        }
        List<Double> mixed = d.mixedRatio() == null ? List.of() : cumulative(ratios("mixed_ratio", d.mixedRatio()));
        double dropout = orElse(d.conditionDropout(), 0.1);
        if (!(dropout >= 0 && dropout < 1)) {
            throw new MdmException("diffusion_config.condition_dropout must be in [0, 1), got " + dropout);
        }
        return new DiffusionSettings(steps, schedule, options, prediction, lossTarget, thresholding, betaStart, betaEnd,
                rescaleSchedule, rescaleSignal, orElse(s.scheduleShifted(), false), power, outputScale,
                orElse(d.useVdmLossWeights(), true), doubleLoss, weights, orElse(d.noUseResidual(), false), mixed, dropout);
    }

    /** The settings as an ml-mdm {@code diffusion_config} mapping (ml-mdm's enum names where one exists). */
    public Options toOptions() {
        return Json.options(toTree());
    }

    private JsonNode toTree() {
        ObjectNode s = Json.empty();
        s.put("num_diffusion_steps", numDiffusionSteps);
        s.put("schedule_type", schedule.toUpperCase(Locale.ROOT));
        s.put("prediction_type", mlMdmName(prediction));
        s.put("loss_target_type", mlMdmName(lossTarget));
        s.put("beta_start", betaStart);
        s.put("beta_end", betaEnd);
        s.put("threshold_function", thresholding.name());
        s.put("rescale_schedule", rescaleSchedule);
        s.put("rescale_signal", rescaleSignal);
        s.put("schedule_shifted", scheduleShifted);
        s.put("schedule_shifted_power", scheduleShiftedPower);
        ObjectNode extra = Json.tree(scheduleOptions);
        extra.remove(List.of("beta_start", "beta_end"));
        if (!extra.isEmpty()) {
            s.set("schedule_options", extra);
        }
        ObjectNode d = Json.empty();
        d.set("sampler_config", s);
        d.put("model_output_scale", modelOutputScale);
        d.put("use_vdm_loss_weights", useVdmLossWeights);
        d.put("use_double_loss", useDoubleLoss);
        if (!multiResWeights.isEmpty()) {
            d.put("multi_res_weights", join(multiResWeights));
        }
        d.put("no_use_residual", noUseResidual);
        if (!mixedRatio.isEmpty()) {
            List<Double> parts = new ArrayList<>();
            double previous = 0;
            for (double m : mixedRatio) {
                parts.add(m - previous);
                previous = m;
            }
            d.put("mixed_ratio", join(parts));
        }
        d.put("condition_dropout", conditionDropout);
        return d;
    }

    private static String mlMdmName(PredictionType type) {
        return switch (type) {
            case EPSILON -> "DDPM";
            case V -> "V_PREDICTION";
            case X0 -> "X0";
        };
    }

    private static String join(List<Double> values) {
        List<String> parts = new ArrayList<>();
        for (double v : values) {
            parts.add(v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v));
        }
        return String.join(":", parts);
    }

    private static String scheduleName(String type) {
        String name = type.trim().toLowerCase(Locale.ROOT);
        if (!name.matches("[a-z0-9][a-z0-9._+-]*")) {
            throw new MdmException("diffusion_config.sampler_config.schedule_type '" + type
                    + "' is not a schedule name: use deepfloyd, cosine, ddpm, sigmoid or another installed schedule");
        }
        return name;
    }

    private static List<Double> ratios(String field, String text) {
        List<Double> values = new ArrayList<>();
        for (String part : text.split(":")) {
            try {
                double v = Double.parseDouble(part.trim());
                if (!(v > 0)) {
                    throw new NumberFormatException();
                }
                values.add(v);
            } catch (NumberFormatException e) {
                throw new MdmException("diffusion_config." + field + " '" + text
                        + "' must be positive numbers separated by ':', highest resolution first, e.g. 16:4:1");
            }
        }
        return values;
    }

    /** ml-mdm: cumsum, divided by the total, e.g. 2:1 → [2/3, 1]. */
    private static List<Double> cumulative(List<Double> parts) {
        double[] sums = new double[parts.size()];
        double sum = 0;
        for (int i = 0; i < sums.length; i++) {
            sum += parts.get(i);
            sums[i] = sum;
        }
        List<Double> out = new ArrayList<>();
        for (double v : sums) {
            out.add(v / sum);
        }
        return out;
    }

    private static double positive(String field, double value) {
        if (!(value > 0)) {
            throw new MdmException("diffusion_config." + field + " must be positive, got " + value);
        }
        return value;
    }

    private static <T> T orElse(T value, T fallback) {
        return value == null ? fallback : value;
    }

    /** ml-mdm SamplerConfig, as written in YAML; null = not given. */
    record RawSampler(
            @JsonProperty("num_diffusion_steps") Integer numDiffusionSteps,
            @JsonProperty("reproject_signal") Boolean reprojectSignal,
            @JsonProperty("schedule_type") String scheduleType,
            @JsonProperty("prediction_type") String predictionType,
            @JsonProperty("loss_target_type") String lossTargetType,
            @JsonProperty("beta_start") Double betaStart,
            @JsonProperty("beta_end") Double betaEnd,
            @JsonProperty("threshold_function") String thresholdFunction,
            @JsonProperty("rescale_schedule") Double rescaleSchedule,
            @JsonProperty("rescale_signal") Double rescaleSignal,
            @JsonProperty("schedule_shifted") Boolean scheduleShifted,
            @JsonProperty("schedule_shifted_power") Double scheduleShiftedPower,
            @JsonProperty("schedule_options") JsonNode scheduleOptions) {
    }

    /**
     * ml-mdm DiffusionConfig / NestedDiffusionConfig. reproject_signal, use_random_interp,
     * random_downsample, average_downsample and mid_downsample are accepted for compatibility; the
     * reference declares them but never reads them.
     */
    record RawDiffusion(
            @JsonProperty("sampler_config") RawSampler samplerConfig,
            @JsonProperty("model_output_scale") Double modelOutputScale,
            @JsonProperty("use_vdm_loss_weights") Boolean useVdmLossWeights,
            @JsonProperty("use_double_loss") Boolean useDoubleLoss,
            @JsonProperty("multi_res_weights") String multiResWeights,
            @JsonProperty("no_use_residual") Boolean noUseResidual,
            @JsonProperty("use_random_interp") Boolean useRandomInterp,
            @JsonProperty("mixed_ratio") String mixedRatio,
            @JsonProperty("random_downsample") Boolean randomDownsample,
            @JsonProperty("average_downsample") Boolean averageDownsample,
            @JsonProperty("mid_downsample") Boolean midDownsample,
            @JsonProperty("condition_dropout") Double conditionDropout) {
    }
}
