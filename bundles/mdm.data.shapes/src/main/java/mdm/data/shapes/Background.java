package mdm.data.shapes;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Plain grey-scale backgrounds: no hue, so they never compete with a shape's colour. */
public enum Background {
    @JsonProperty("grey") GREY(128),
    @JsonProperty("white") WHITE(235),
    @JsonProperty("black") BLACK(20);

    private final int level;

    Background(int level) {
        this.level = level;
    }

    /** The byte value of all three channels. */
    public int level() {
        return level;
    }

    public String word() {
        return name().toLowerCase();
    }
}
