package mdm.core.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Adam with decoupled weight decay, computed exactly as PyTorch's {@code torch.optim.AdamW}
 * (and Adam when the decay is 0): bias-corrected moments, ε added after the square root of the
 * corrected second moment. State is kept per parameter name so it can be checkpointed.
 */
public final class AdamW {
    /** Hyper-parameters; lr is given per step (schedules change it). */
    public record Settings(double beta1, double beta2, double eps, double weightDecay) {
        public Settings {
            if (beta1 < 0 || beta1 >= 1 || beta2 < 0 || beta2 >= 1) {
                throw new IllegalArgumentException("betas must lie in [0, 1): " + beta1 + ", " + beta2);
            }
            if (eps <= 0) {
                throw new IllegalArgumentException("eps must be positive: " + eps);
            }
            if (weightDecay < 0) {
                throw new IllegalArgumentException("weight_decay must not be negative: " + weightDecay);
            }
        }

        /** PyTorch's defaults: (0.9, 0.999), 1e-8, no decay. */
        public static Settings defaults() {
            return new Settings(0.9, 0.999, 1e-8, 0.0);
        }
    }

    private final Settings settings;
    private final NDManager stateManager;
    private final Map<String, NDArray> firstMoment = new LinkedHashMap<>();
    private final Map<String, NDArray> secondMoment = new LinkedHashMap<>();
    private final Map<String, Long> steps = new LinkedHashMap<>();

    /** @param stateManager long-lived manager that owns the moment tensors */
    public AdamW(Settings settings, NDManager stateManager) {
        this.settings = settings;
        this.stateManager = stateManager;
    }

    /**
     * One update of every parameter that has a gradient in {@code grads}; no autograd may be
     * recording. Temporaries live in {@code scratch} (the step's manager).
     */
    public void step(Map<String, NDArray> parameters, Map<String, NDArray> grads, double lr, NDManager scratch) {
        for (Map.Entry<String, NDArray> e : grads.entrySet()) {
            String name = e.getKey();
            NDArray p = parameters.get(name);
            NDArray g = e.getValue();
            NDArray m = firstMoment.computeIfAbsent(name, k -> stateManager.zeros(p.getShape(), p.getDataType()));
            NDArray v = secondMoment.computeIfAbsent(name, k -> stateManager.zeros(p.getShape(), p.getDataType()));
            long t = steps.merge(name, 1L, Long::sum);

            double b1 = settings.beta1();
            double b2 = settings.beta2();
            double correction1 = 1 - Math.pow(b1, t);
            double correction2 = 1 - Math.pow(b2, t);
            if (settings.weightDecay() > 0) {
                p.muli(scalar(scratch, 1 - lr * settings.weightDecay()));
            }
            // every temporary is closed here: results of g/m/v operations land in their long-lived managers
            try (NDArray scaledGrad = g.mul(scalar(scratch, 1 - b1))) {
                m.muli(scalar(scratch, b1)).addi(scaledGrad);
            }
            try (NDArray squared = g.square()) {
                squared.muli(scalar(scratch, 1 - b2));
                v.muli(scalar(scratch, b2)).addi(squared);
            }
            try (NDArray denominator = v.sqrt()) {
                denominator.divi(scalar(scratch, Math.sqrt(correction2))).addi(scalar(scratch, settings.eps()));
                try (NDArray update = m.div(denominator)) {
                    p.subi(update.muli(scalar(scratch, lr / correction1)));
                }
            }
        }
    }

    private static NDArray scalar(NDManager m, double v) {
        return m.full(new Shape(), (float) v);
    }

    /** State for a checkpoint: {@code m.<name>}, {@code v.<name>} tensors and step counts. */
    public Map<String, NDArray> stateTensors() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        firstMoment.forEach((k, a) -> out.put("m." + k, a));
        secondMoment.forEach((k, a) -> out.put("v." + k, a));
        return out;
    }

    public Map<String, Long> stepCounts() {
        return Map.copyOf(steps);
    }

    /** Restores state written by {@link #stateTensors()} and {@link #stepCounts()}. */
    public void restore(Map<String, NDArray> tensors, Map<String, Long> stepCounts) {
        firstMoment.clear();
        secondMoment.clear();
        steps.clear();
        tensors.forEach((k, a) -> {
            NDArray copy = a.duplicate();
            copy.attach(stateManager);
            if (k.startsWith("m.")) {
                firstMoment.put(k.substring(2), copy);
            } else if (k.startsWith("v.")) {
                secondMoment.put(k.substring(2), copy);
            } else {
                throw new IllegalArgumentException("unexpected optimiser state key " + k);
            }
        });
        steps.putAll(stepCounts);
    }
}
