package mdm.data.shapes;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The eight shape colours: saturated, at HSV hues at least 28° apart, so that a checker can name
 * them by hue alone; hue does not change when a colour is darkened (the texture shade) or mixed
 * with the grey-scale backgrounds (anti-aliased edges, blur).
 */
public enum Colour {
    @JsonProperty("red") RED(235, 28, 28),
    @JsonProperty("orange") ORANGE(235, 126, 28),
    @JsonProperty("yellow") YELLOW(235, 221, 28),
    @JsonProperty("green") GREEN(28, 235, 42),
    @JsonProperty("cyan") CYAN(28, 217, 235),
    @JsonProperty("blue") BLUE(28, 80, 235),
    @JsonProperty("purple") PURPLE(149, 28, 235),
    @JsonProperty("pink") PINK(235, 28, 152);

    private final int[] rgb;

    Colour(int r, int g, int b) {
        this.rgb = new int[] {r, g, b};
    }

    /** Channel 0..2 as a byte value. */
    public int channel(int c) {
        return rgb[c];
    }

    /** The darker shade that draws stripes and dots: half the intensity, same hue. */
    public int shadeChannel(int c) {
        return Math.round(rgb[c] * 0.5f);
    }

    /** HSV hue in degrees. */
    public double hue() {
        return Hue.of(rgb[0], rgb[1], rgb[2]);
    }

    public String word() {
        return name().toLowerCase();
    }
}
