package mdm.slf4j.internal;

import org.osgi.service.log.LogEntry;
import org.osgi.service.log.LogListener;

/**
 * Equinox delivers entries to a plain LogListener on a thread of its own, so the last entries before
 * a one-command run exits could be lost and console lines could come after the shell's own output.
 * Its marker interface asks for delivery on the logging thread; on another framework the listener is
 * registered as it is (the package import is optional).
 */
final class Synchronous {
    private Synchronous() {
    }

    static LogListener wrap(LogListener listener) {
        try {
            return new Equinox(listener);
        } catch (NoClassDefFoundError notEquinox) {
            return listener;
        }
    }

    private static final class Equinox implements org.eclipse.equinox.log.SynchronousLogListener {
        private final LogListener target;

        Equinox(LogListener target) {
            this.target = target;
        }

        @Override
        public void logged(LogEntry entry) {
            target.logged(entry);
        }
    }
}
