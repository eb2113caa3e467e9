package mdm.diffusion;

import java.util.Locale;
import mdm.api.MdmException;

/**
 * The γ-indices a sampler visits, from the first (noisiest) to 0. Each step goes from one entry to
 * the next and the model is called with t − 1 (the training index convention).
 */
public final class TimeGrid {
    /** How the grid is spaced. */
    public enum Spacing {
        /**
         * ml-mdm's grid (§4.1): every index N..0 when steps = N; otherwise round(k·(N+1)/(n+1)) for
         * k = n..0, which starts below N (n = 50 starts at 981 for N = 1000).
         */
        REFERENCE,
        /** round(N − k·N/n) for k = 0..n: starts at N, i.e. from pure noise (Lin et al. 2023, "trailing"). */
        TRAILING;

        public static Spacing parse(String name) {
            if (name == null) {
                return REFERENCE;
            }
            try {
                return valueOf(name.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new MdmException("unknown timestep_spacing '" + name + "': use reference or trailing");
            }
        }
    }

    private TimeGrid() {
    }

    /** The grid for {@code steps} sampler steps over a schedule of N diffusion steps. */
    public static int[] of(Spacing spacing, int diffusionSteps, int steps) {
        if (steps < 1 || steps > diffusionSteps) {
            throw new MdmException("cannot sample in " + steps + " steps with a schedule of " + diffusionSteps
                    + " diffusion steps: use 1.." + diffusionSteps);
        }
        int[] grid = new int[steps + 1];
        if (spacing == Spacing.TRAILING) {
            double stride = (double) diffusionSteps / steps;
            for (int k = 0; k <= steps; k++) {
                grid[k] = (int) Math.rint(diffusionSteps - k * stride);
            }
            return grid;
        }
        if (steps == diffusionSteps) {
            for (int k = 0; k <= steps; k++) {
                grid[k] = diffusionSteps - k;
            }
            return grid;
        }
        // numpy: (arange(0, n+1) * ratio).round()[::-1]; round is half-to-even, as Math.rint
        double ratio = (double) (diffusionSteps + 1) / (steps + 1);
        for (int k = 0; k <= steps; k++) {
            grid[steps - k] = (int) Math.rint(k * ratio);
        }
        return grid;
    }

    /** The reference's grid. */
    public static int[] reference(int diffusionSteps, int steps) {
        return of(Spacing.REFERENCE, diffusionSteps, steps);
    }
}
