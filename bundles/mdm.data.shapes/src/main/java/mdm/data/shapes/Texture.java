package mdm.data.shapes;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Surface patterns with period {@code P = imageSize / 16} pixels (4 at 64²), drawn in the colour's
 * darker shade: vertical stripes half a period wide, or square dots half a period wide. Aligned to
 * the pixel grid, a 4×4 area average at 64² (the 16² level of a pyramid) turns both into a flat tone:
 * the texture exists only at the higher resolutions.
 */
public enum Texture {
    @JsonProperty("plain") PLAIN,
    @JsonProperty("striped") STRIPED,
    @JsonProperty("dotted") DOTTED;

    /** Whether pattern coordinate (u, v) is drawn in the shade, for period {@code p}. */
    public boolean shaded(int u, int v, int p) {
        int half = p / 2;
        switch (this) {
            case STRIPED:
                return Math.floorMod(u, p) >= half;
            case DOTTED:
                return Math.floorMod(u, p) >= half && Math.floorMod(v, p) >= half;
            default:
                return false;
        }
    }

    public String word() {
        return name().toLowerCase();
    }
}
