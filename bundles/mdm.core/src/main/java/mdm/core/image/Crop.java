package mdm.core.image;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.annotation.JsonProperty;

/** Where a square is cut from an image whose shorter side was resized to the square's side. */
public enum Crop {
    /** The middle (the ml-mdm reader's choice); deterministic. */
    @JsonProperty("centre") @JsonAlias("center") CENTRE,
    /** A uniformly random offset, drawn from the sample's own random stream. */
    @JsonProperty("random") RANDOM
}
