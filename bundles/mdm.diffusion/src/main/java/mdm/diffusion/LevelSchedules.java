package mdm.diffusion;

import java.util.ArrayList;
import java.util.List;
import mdm.api.MdmException;
import mdm.api.diffusion.LevelSchedule;
import mdm.api.diffusion.NoiseSchedule;

/**
 * The schedule each resolution level uses (fact sheet §3.3). The base γ comes from the schedule
 * component and is kept as float32 like the reference. A single-level model divides its clean image
 * by {@code rescale_signal}. A nested model with {@code schedule_shifted} gives level r the shifted
 * schedule shift(γ, s_r^p) and no signal scaling; without it every level shares γ and its clean image
 * is divided by s_r (Chen 2023 signal scaling). s_r is the level's side relative to the innermost
 * level (the backbone's level scales, e.g. [4, 1]).
 */
public final class LevelSchedules {
    private LevelSchedules() {
    }

    /** The base γ after the optional global {@code rescale_schedule} shift, float32: what the VDM weights use. */
    public static double[] base(DiffusionSettings settings, NoiseSchedule schedule) {
        double[] raw = schedule.gammas(settings.numDiffusionSteps(), settings.scheduleOptions());
        return base(settings, raw);
    }

    /** {@link #base(DiffusionSettings, NoiseSchedule)} from γ already computed (length N+1). */
    public static double[] base(DiffusionSettings settings, double[] rawGammas) {
        if (rawGammas.length != settings.numDiffusionSteps() + 1 || rawGammas[0] != 1.0) {
            throw new MdmException("schedule '" + settings.schedule() + "' returned " + rawGammas.length
                    + " values; a schedule for N = " + settings.numDiffusionSteps() + " steps must return N+1 with γ[0] = 1");
        }
        return Gammas.shift(Gammas.buffer(rawGammas), settings.rescaleSchedule(), settings.scheduleShiftedPower());
    }

    /** Per-level schedules, highest resolution first, for a backbone with these level scales. */
    public static List<LevelSchedule> build(DiffusionSettings settings, NoiseSchedule schedule, List<Integer> levelScales) {
        return build(settings, base(settings, schedule), levelScales);
    }

    /** Per-level schedules from a base γ returned by {@link #base}. */
    public static List<LevelSchedule> build(DiffusionSettings settings, double[] base, List<Integer> levelScales) {
        checkScales(levelScales);
        List<LevelSchedule> levels = new ArrayList<>();
        if (levelScales.size() == 1) {
            levels.add(new LevelSchedule(base.clone(), settings.rescaleSignal()));
            return levels;
        }
        if (!settings.noUseResidual()) {
            throw new MdmException("diffusion_config.no_use_residual is false, which selects ml-mdm's residual path for"
                    + " nested models; that path is broken in the reference and not supported. Set no_use_residual: true"
                    + " (every released config does).");
        }
        for (int scale : levelScales) {
            levels.add(settings.scheduleShifted()
                    ? new LevelSchedule(Gammas.shift(base, scale, settings.scheduleShiftedPower()), 1.0)
                    : new LevelSchedule(base.clone(), scale));
        }
        return levels;
    }

    static void checkScales(List<Integer> scales) {
        if (scales.isEmpty() || scales.get(scales.size() - 1) != 1) {
            throw new MdmException("level scales " + scales + " must end with 1 (the innermost level), e.g. [4, 1]");
        }
        for (int i = 1; i < scales.size(); i++) {
            if (scales.get(i - 1) <= scales.get(i) || scales.get(i - 1) % scales.get(i) != 0) {
                throw new MdmException("level scales " + scales
                        + " must decrease, each a multiple of the next, highest resolution first, e.g. [16, 4, 1]");
            }
        }
    }
}
