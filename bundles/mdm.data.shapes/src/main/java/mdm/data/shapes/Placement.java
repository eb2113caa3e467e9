package mdm.data.shapes;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Where a shape's box centre sits, as fractions of the image side, and how a caption says it. */
public enum Placement {
    @JsonProperty("centre") CENTRE(0.5, 0.5, "in the centre"),
    @JsonProperty("top") TOP(0.5, 0.25, "at the top"),
    @JsonProperty("bottom") BOTTOM(0.5, 0.75, "at the bottom"),
    @JsonProperty("left") LEFT(0.25, 0.5, "on the left"),
    @JsonProperty("right") RIGHT(0.75, 0.5, "on the right");

    private final double x;
    private final double y;
    private final String phrase;

    Placement(double x, double y, String phrase) {
        this.x = x;
        this.y = y;
        this.phrase = phrase;
    }

    public double x() {
        return x;
    }

    public double y() {
        return y;
    }

    public String phrase() {
        return phrase;
    }

    /** The other end of a two-shape pair (left ↔ right, top ↔ bottom); null for the centre. */
    public Placement opposite() {
        switch (this) {
            case LEFT:
                return RIGHT;
            case RIGHT:
                return LEFT;
            case TOP:
                return BOTTOM;
            case BOTTOM:
                return TOP;
            default:
                return null;
        }
    }

    public String word() {
        return name().toLowerCase();
    }
}
