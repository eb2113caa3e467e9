package mdm.data.shapes;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Shape outlines, each inscribed in a square box of side {@code b}: a disc of diameter b, the box
 * itself, and an upward triangle with the box's bottom side as base and its apex at the top middle.
 */
public enum ShapeKind {
    @JsonProperty("circle") CIRCLE(Math.PI / 4, 0.0),
    @JsonProperty("square") SQUARE(1.0, 0.0),
    @JsonProperty("triangle") TRIANGLE(0.5, 1.0 / 6);

    private final double fill;
    private final double centroidDrop;

    ShapeKind(double fill, double centroidDrop) {
        this.fill = fill;
        this.centroidDrop = centroidDrop;
    }

    /** Area as a fraction of the box's area. */
    public double fill() {
        return fill;
    }

    /** How far the centroid lies below the box centre, in box sides (the triangle's is lower). */
    public double centroidDrop() {
        return centroidDrop;
    }

    /**
     * Signed distance (in pixels; negative inside) of a point from the outline, relative to the box
     * centre; exact on the edges, approximate near corners, which is all anti-aliasing needs.
     */
    public double distance(double dx, double dy, double half) {
        switch (this) {
            case CIRCLE:
                return Math.sqrt(dx * dx + dy * dy) - half;
            case SQUARE:
                return Math.max(Math.abs(dx), Math.abs(dy)) - half;
            default:
                double sides = (2 * Math.abs(dx) - dy - half) / Math.sqrt(5);
                return Math.max(dy - half, sides);
        }
    }

    public String word() {
        return name().toLowerCase();
    }
}
