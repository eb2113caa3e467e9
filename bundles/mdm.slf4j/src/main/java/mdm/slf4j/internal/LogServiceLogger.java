package mdm.slf4j.internal;

import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/**
 * An SLF4J logger that logs through the OSGi Log Service under its own name (levels are then the Log
 * Service's: its LoggerAdmin decides what is enabled), or through the console logger while there is no
 * Log Service.
 */
final class LogServiceLogger extends LegacyAbstractLogger {
    private static final long serialVersionUID = 1L;
    private final transient LogServiceLink service;
    private final transient ConsoleLogger console;
    private transient LoggerFactory factory;
    private transient Logger logger;

    LogServiceLogger(String name, LogServiceLink service, ConsoleLogger console) {
        this.name = name;
        this.service = service;
        this.console = console;
    }

    /** The Log Service's logger of this name, or null when there is no Log Service. */
    private synchronized Logger osgi() {
        LoggerFactory f = service.get();
        if (f != factory) {
            factory = f;
            logger = f == null ? null : f.getLogger(name);
        }
        return logger;
    }

    @Override
    public boolean isTraceEnabled() {
        Logger l = osgi();
        return l != null ? l.isTraceEnabled() : early(Level.TRACE);
    }

    @Override
    public boolean isDebugEnabled() {
        Logger l = osgi();
        return l != null ? l.isDebugEnabled() : early(Level.DEBUG);
    }

    @Override
    public boolean isInfoEnabled() {
        Logger l = osgi();
        return l != null ? l.isInfoEnabled() : early(Level.INFO);
    }

    @Override
    public boolean isWarnEnabled() {
        Logger l = osgi();
        return l != null ? l.isWarnEnabled() : early(Level.WARN);
    }

    @Override
    public boolean isErrorEnabled() {
        Logger l = osgi();
        return l != null ? l.isErrorEnabled() : early(Level.ERROR);
    }

    /** Before the Log Service is there: INFO and up are kept for it (inside OSGi), else the console decides. */
    private boolean early(Level level) {
        return service.inOsgi() ? level.toInt() >= Level.INFO.toInt() : console.isEnabledForLevel(level);
    }

    @Override
    protected String getFullyQualifiedCallerName() {
        return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] arguments,
                                               Throwable throwable) {
        Logger l = osgi();
        String message = MessageFormatter.basicArrayFormat(pattern, arguments);
        if (l != null) {
            send(l, level, message, throwable);
        } else if (!service.keep(name, level, message, throwable)) {
            console.handleNormalizedLoggingCall(level, marker, pattern, arguments, throwable);
        }
    }

    /** One message to the Log Service, "{}" with the message as its argument: it must not read it as a format. */
    static void send(Logger l, Level level, String message, Throwable throwable) {
        switch (level) {
            case ERROR -> l.error("{}", message, throwable);
            case WARN -> l.warn("{}", message, throwable);
            case INFO -> l.info("{}", message, throwable);
            case DEBUG -> l.debug("{}", message, throwable);
            default -> l.trace("{}", message, throwable);
        }
    }
}
