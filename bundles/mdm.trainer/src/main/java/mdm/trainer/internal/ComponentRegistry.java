package mdm.trainer.internal;

import java.util.List;

/**
 * Finds components by kind and name. Inside OSGi it reads the service registry (highest ranking
 * wins, so a bundle can override a component for an ablation); tests use a plain map.
 */
public interface ComponentRegistry {
    /** A component in use, with where it came from; {@link #release()} gives it back. */
    interface Lease<T> {
        T service();

        /** e.g. {@code mdm.schedules 0.1.0} */
        String origin();

        void release();
    }

    /**
     * @throws mdm.api.MdmException when nothing of that kind has that name; the message lists the
     *                              registered names and the nearest one
     */
    <T> Lease<T> acquire(Class<T> type, String kind, String name);

    /** Names registered now for a kind. */
    List<String> names(String kind);

    /**
     * Calls {@code onLoss} (once, on whatever thread unregisters it) when a leased component goes
     * away: its bundle stopped, was updated or uninstalled.
     */
    default void watch(Lease<?> lease, java.util.function.Consumer<String> onLoss) {
    }
}
