package mdm.slf4j.internal;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Supplier;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.service.log.LoggerFactory;
import org.osgi.util.tracker.ServiceTracker;

/**
 * The OSGi Log Service as SLF4J's loggers see it. SLF4J finds its provider statically, so DJL may
 * log before this bundle has started (the engine starts with mdm.core, in whatever order a launcher
 * starts bundles): the link opens a tracker on the Log Service once this bundle has a context (again
 * after a restart), and keeps what is logged before that — up to {@value #EARLY_MAX} messages — to hand
 * it to the Log Service in order as soon as there is one. Outside OSGi there is none: loggers print.
 */
final class LogServiceLink {
    static final int EARLY_MAX = 1000;

    private record Early(String logger, org.slf4j.event.Level level, String message, Throwable throwable) {
    }

    private final Bundle bundle;
    private final Supplier<LoggerFactory> fixed;
    private final Deque<Early> early = new ArrayDeque<>();
    private ServiceTracker<LoggerFactory, LoggerFactory> tracker;
    private BundleContext trackedBy;

    private LogServiceLink(Bundle bundle, Supplier<LoggerFactory> fixed) {
        this.bundle = bundle;
        this.fixed = fixed;
    }

    static LogServiceLink ofBundleOf(Class<?> type) {
        return new LogServiceLink(FrameworkUtil.getBundle(type), null);
    }

    /** A link to a given Log Service (null: none yet), as inside a framework: for tests. */
    static LogServiceLink to(Supplier<LoggerFactory> service) {
        return new LogServiceLink(null, service);
    }

    /** Whether there can be a Log Service at all: inside a framework. */
    boolean inOsgi() {
        return bundle != null || fixed != null;
    }

    /** The Log Service, or null (outside OSGi, before this bundle starts, while none is registered). */
    synchronized LoggerFactory get() {
        LoggerFactory f = fixed != null ? fixed.get() : tracked();
        if (f != null && !early.isEmpty()) {
            for (Early e; (e = early.poll()) != null; ) {
                LogServiceLogger.send(f.getLogger(e.logger()), e.level(), e.message(), e.throwable());
            }
        }
        return f;
    }

    private LoggerFactory tracked() {
        if (bundle == null) {
            return null;
        }
        BundleContext context = bundle.getBundleContext(); // null until the bundle starts, and after it stops
        if (context == null) {
            return null;
        }
        if (context != trackedBy) {
            if (tracker != null) {
                try {
                    tracker.close();
                } catch (IllegalStateException stale) {
                    // the old context is already invalid: nothing left to close
                }
            }
            tracker = new ServiceTracker<>(context, LoggerFactory.class, null);
            tracker.open();
            trackedBy = context;
        }
        return tracker.getService();
    }

    /**
     * Keeps a message logged before the Log Service is there; false when the caller should print it
     * instead (outside OSGi, or too many waiting).
     */
    synchronized boolean keep(String logger, org.slf4j.event.Level level, String message, Throwable throwable) {
        if (!inOsgi() || early.size() >= EARLY_MAX) {
            return false;
        }
        early.add(new Early(logger, level, message, throwable));
        return true;
    }
}
