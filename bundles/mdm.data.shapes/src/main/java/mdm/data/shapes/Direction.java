package mdm.data.shapes;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Motion of a clip's shape, in image coordinates (y grows downwards). */
public enum Direction {
    @JsonProperty("up") UP(0, -1),
    @JsonProperty("down") DOWN(0, 1),
    @JsonProperty("left") LEFT(-1, 0),
    @JsonProperty("right") RIGHT(1, 0);

    private final int dx;
    private final int dy;

    Direction(int dx, int dy) {
        this.dx = dx;
        this.dy = dy;
    }

    public int dx() {
        return dx;
    }

    public int dy() {
        return dy;
    }

    /** The direction of a displacement: its larger component decides. */
    public static Direction of(double dx, double dy) {
        if (Math.abs(dx) >= Math.abs(dy)) {
            return dx >= 0 ? RIGHT : LEFT;
        }
        return dy >= 0 ? DOWN : UP;
    }

    public String word() {
        return name().toLowerCase();
    }
}
