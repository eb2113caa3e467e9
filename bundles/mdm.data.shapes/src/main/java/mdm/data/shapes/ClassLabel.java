package mdm.data.shapes;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What a shapes sample's class label encodes (of its first shape). */
public enum ClassLabel {
    /** The outline: "circle", "square", ... */
    @JsonProperty("shape") SHAPE,
    /** The colour: "red", ... */
    @JsonProperty("colour") COLOUR,
    /** Both, shape-major: "red circle", "orange circle", ... */
    @JsonProperty("shape_colour") SHAPE_COLOUR
}
