package mdm.data.shapes;

/** HSV hue and saturation of an RGB triple (any scale). */
final class Hue {
    private Hue() {
    }

    /** Hue in degrees [0, 360); 0 for grey. */
    static double of(double r, double g, double b) {
        double max = Math.max(r, Math.max(g, b));
        double min = Math.min(r, Math.min(g, b));
        double chroma = max - min;
        if (chroma <= 0) {
            return 0;
        }
        double h;
        if (max == r) {
            h = ((g - b) / chroma) % 6;
        } else if (max == g) {
            h = (b - r) / chroma + 2;
        } else {
            h = (r - g) / chroma + 4;
        }
        h *= 60;
        return h < 0 ? h + 360 : h;
    }

    /** (max − min) / max; 0 for black. */
    static double saturation(double r, double g, double b) {
        double max = Math.max(r, Math.max(g, b));
        double min = Math.min(r, Math.min(g, b));
        return max <= 0 ? 0 : (max - min) / max;
    }

    /** Angular distance of two hues in degrees, 0..180. */
    static double distance(double a, double b) {
        double d = Math.abs(a - b) % 360;
        return d > 180 ? 360 - d : d;
    }
}
