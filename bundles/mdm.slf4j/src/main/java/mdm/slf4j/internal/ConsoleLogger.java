package mdm.slf4j.internal;

import java.io.PrintStream;
import org.slf4j.Marker;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/**
 * One line per message, {@code mdm: WARN org.eclipse.jetty.server.Server: message: cause}, for
 * messages at the threshold or above. A stack trace follows only at DEBUG and TRACE: people at the
 * shell want to read what went wrong (a port in use), not the server's internals.
 */
final class ConsoleLogger extends LegacyAbstractLogger {
    static final String LEVEL_PROPERTY = "mdm.log.level";
    private static final long serialVersionUID = 1L;

    enum Level {
        TRACE, DEBUG, INFO, WARN, ERROR, OFF;

        /** The level named by {@code value} (any case), WARN when it names none. */
        static Level parse(String value) {
            if (value != null) {
                for (Level l : values()) {
                    if (l.name().equalsIgnoreCase(value.trim())) {
                        return l;
                    }
                }
            }
            return WARN;
        }
    }

    private final Level threshold;
    private final transient PrintStream out;

    ConsoleLogger(String name, Level threshold, PrintStream out) {
        this.name = name;
        this.threshold = threshold;
        this.out = out;
    }

    private boolean on(Level level) {
        return threshold != Level.OFF && level.ordinal() >= threshold.ordinal();
    }

    @Override
    public boolean isTraceEnabled() {
        return on(Level.TRACE);
    }

    @Override
    public boolean isDebugEnabled() {
        return on(Level.DEBUG);
    }

    @Override
    public boolean isInfoEnabled() {
        return on(Level.INFO);
    }

    @Override
    public boolean isWarnEnabled() {
        return on(Level.WARN);
    }

    @Override
    public boolean isErrorEnabled() {
        return on(Level.ERROR);
    }

    @Override
    protected String getFullyQualifiedCallerName() {
        return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(org.slf4j.event.Level level, Marker marker, String pattern,
                                               Object[] arguments, Throwable throwable) {
        out.println(line(level.name(), name, MessageFormatter.basicArrayFormat(pattern, arguments), throwable));
        if (throwable != null && threshold.ordinal() <= Level.DEBUG.ordinal()) {
            throwable.printStackTrace(out);
        }
    }

    /** The line printed for one message. */
    static String line(String level, String logger, String message, Throwable throwable) {
        return LogFormat.consoleLine(level, logger, message, throwable);
    }
}
