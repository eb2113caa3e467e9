package mdm.diffusion;

import mdm.api.MdmException;
import mdm.core.random.HostRandom;

/**
 * Which training examples see the unconditional input instead of their caption or label, so that
 * one network learns both branches of classifier-free guidance (Ho and Salimans 2022). ml-mdm trains
 * without it; here it is {@code condition_dropout} (default 0.1). The result goes to
 * {@code Conditioner.encode(batch, unconditional, …)}.
 */
public final class ConditionDropout {
    private ConditionDropout() {
    }

    /**
     * Example i is dropped when the generator's next uniform draw is below {@code probability}. It
     * always takes one draw per example, so the generator's position does not depend on the
     * probability; give it its own stream ({@code HostRandom.fork("condition-dropout")}).
     */
    public static boolean[] decide(int batch, double probability, HostRandom random) {
        if (!(probability >= 0 && probability < 1)) {
            throw new MdmException("condition dropout probability must be in [0, 1), got " + probability);
        }
        boolean[] drop = new boolean[batch];
        for (int i = 0; i < batch; i++) {
            drop[i] = random.nextDouble() < probability;
        }
        return drop;
    }
}
