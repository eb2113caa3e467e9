package mdm.data.shapes;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Box side as a fraction of the image side. */
public enum SizeClass {
    @JsonProperty("small") SMALL(0.22),
    @JsonProperty("large") LARGE(0.40);

    /** Box fractions below this are small: the geometric mean of the two. */
    public static final double BOUNDARY = Math.sqrt(0.22 * 0.40);

    private final double fraction;

    SizeClass(double fraction) {
        this.fraction = fraction;
    }

    public double fraction() {
        return fraction;
    }

    public String word() {
        return name().toLowerCase();
    }
}
