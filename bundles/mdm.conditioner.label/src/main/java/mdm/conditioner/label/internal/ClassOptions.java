package mdm.conditioner.label.internal;

import com.fasterxml.jackson.annotation.JsonProperty;
import mdm.conditioner.label.NullLabel;

/**
 * Options of the {@code class} conditioner.
 *
 * @param width     token width (the backbone's conditioning_feature_dim); default: classes (+1 for "extra")
 * @param nullLabel "zero" (default) or "extra"
 */
record ClassOptions(@JsonProperty("width") Integer width, @JsonProperty("null_label") String nullLabel) {
    ClassOptions {
        nullLabel = nullLabel == null ? "zero" : nullLabel;
        if (!nullLabel.equals("zero") && !nullLabel.equals("extra")) {
            throw new IllegalArgumentException("null_label must be 'zero' (an all-zero token) or 'extra' (one more "
                    + "one-hot column), got '" + nullLabel + "'");
        }
    }

    NullLabel mode() {
        return nullLabel.equals("extra") ? NullLabel.EXTRA : NullLabel.ZERO;
    }
}
