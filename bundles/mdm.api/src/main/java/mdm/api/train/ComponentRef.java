package mdm.api.train;

import com.fasterxml.jackson.databind.JsonNode;

/** A component chosen by name, with its options (never null; an empty object when none are given). */
public record ComponentRef(String name, JsonNode options) {
    public ComponentRef {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("component name must not be empty");
        }
    }
}
