package mdm.core.data;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * How a dataset is streamed; every dataset's options carry it under the key {@code loader}.
 * Samples do not depend on {@code workers} or {@code prefetch}.
 *
 * @param workers  decoder threads (0 decodes on the caller's thread); default 2
 * @param prefetch samples decoded ahead of the consumer; default 32
 * @param shuffle  a fresh permutation of the entries every epoch (false: file order); default true
 * @param onError  {@code skip} (default: report, count, go on) or {@code stop}
 */
public record LoaderOptions(Integer workers, Integer prefetch, Boolean shuffle,
                            @JsonProperty("on_error") ErrorPolicy onError) {
    public static final LoaderOptions DEFAULT = new LoaderOptions(null, null, null, null);

    public LoaderOptions {
        workers = workers == null ? 2 : workers;
        prefetch = prefetch == null ? 32 : prefetch;
        shuffle = shuffle == null ? Boolean.TRUE : shuffle;
        onError = onError == null ? ErrorPolicy.SKIP : onError;
        if (workers < 0 || workers > 64) {
            throw new IllegalArgumentException("loader.workers must be 0..64, got " + workers);
        }
        if (prefetch < 1 || prefetch > 100_000) {
            throw new IllegalArgumentException("loader.prefetch must be 1..100000, got " + prefetch);
        }
    }

    /** These options with another error policy. */
    public LoaderOptions withOnError(ErrorPolicy policy) {
        return new LoaderOptions(workers, prefetch, shuffle, policy);
    }
}
