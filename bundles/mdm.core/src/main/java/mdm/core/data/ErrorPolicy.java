package mdm.core.data;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What a stream does with an entry that cannot be read (corrupt archive, missing file, empty caption). */
public enum ErrorPolicy {
    /** Report it (log and count), then go on with the next entry. */
    @JsonProperty("skip") SKIP,
    /** Stop: {@code next()} throws an error naming the entry. */
    @JsonProperty("stop") STOP
}
