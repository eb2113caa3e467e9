package mdm.api.train;

import mdm.api.Options;

/** A component chosen by name, with its options (never null; empty when none are given). */
public record ComponentRef(String name, Options options) {
    public ComponentRef {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("component name must not be empty");
        }
        options = options == null ? Options.empty() : options;
    }
}
