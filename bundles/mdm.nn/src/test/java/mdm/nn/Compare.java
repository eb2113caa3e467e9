package mdm.nn;

import ai.djl.ndarray.NDArray;

/** Error metrics between our tensors and reference tensors (both float). */
public final class Compare {
    private Compare() {
    }

    public static double maxAbs(NDArray a, NDArray b) {
        if (!a.getShape().equals(b.getShape())) {
            throw new AssertionError("shape " + a.getShape() + " vs reference " + b.getShape());
        }
        float[] x = a.toFloatArray();
        float[] y = b.toFloatArray();
        double m = 0;
        for (int i = 0; i < x.length; i++) {
            double d = Math.abs((double) x[i] - y[i]);
            if (Double.isNaN(d)) {
                return Double.NaN;
            }
            m = Math.max(m, d);
        }
        return m;
    }

    /** ‖a − b‖ / ‖b‖ over the whole tensor (0 when both are zero). */
    public static double relativeL2(NDArray a, NDArray b) {
        if (!a.getShape().equals(b.getShape())) {
            throw new AssertionError("shape " + a.getShape() + " vs reference " + b.getShape());
        }
        float[] x = a.toFloatArray();
        float[] y = b.toFloatArray();
        double num = 0;
        double den = 0;
        for (int i = 0; i < x.length; i++) {
            double d = (double) x[i] - y[i];
            num += d * d;
            den += (double) y[i] * y[i];
        }
        if (den == 0) {
            return Math.sqrt(num);
        }
        return Math.sqrt(num / den);
    }
}
