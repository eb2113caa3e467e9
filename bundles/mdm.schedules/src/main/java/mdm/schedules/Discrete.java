package mdm.schedules;

import mdm.api.MdmException;

/**
 * Shared pieces of the discrete schedules, written to give the same doubles as the reference's
 * numpy code (same operation order; StrictMath so every JVM computes identical schedules).
 */
final class Discrete {
    private Discrete() {
    }

    static void checkSteps(String schedule, int steps) {
        if (steps < 1) {
            throw new MdmException("schedule '" + schedule + "' needs at least 1 diffusion step, got " + steps
                    + ": set num_diffusion_steps to a positive number (the released models use 1000)");
        }
    }

    /** numpy.linspace(start, stop, n) with its exact arithmetic: start + i·step, last element = stop. */
    static double[] linspace(double start, double stop, int n) {
        double[] y = new double[n];
        if (n == 1) {
            y[0] = start;
            return y;
        }
        double step = (stop - start) / (n - 1);
        for (int i = 0; i < n; i++) {
            y[i] = i * step + start;
        }
        y[n - 1] = stop;
        return y;
    }

    /** γ_i = ∏_{j≤i} (1 − β_j) for β = [0, betas…], as exp(cumsum(log(1 − β))) like the reference. */
    static double[] gammasFromBetas(double[] betas) {
        double[] gammas = new double[betas.length + 1];
        gammas[0] = 1.0;
        double logSum = 0.0;
        for (int i = 0; i < betas.length; i++) {
            logSum += StrictMath.log(1.0 - betas[i]);
            gammas[i + 1] = StrictMath.exp(logSum);
        }
        return gammas;
    }
}
