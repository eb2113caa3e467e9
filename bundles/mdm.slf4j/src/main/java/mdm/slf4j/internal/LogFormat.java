package mdm.slf4j.internal;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** How a log entry reads: one line on the console, a line and its stack trace in the file. */
final class LogFormat {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    private LogFormat() {
    }

    /**
     * {@code mdm: WARN org.eclipse.jetty.server.Server: message: cause: its cause}: what went wrong in
     * one line, each cause's message appended.
     */
    static String consoleLine(String level, String logger, String message, Throwable throwable) {
        StringBuilder s = new StringBuilder("mdm: ").append(level.toUpperCase(Locale.ROOT)).append(' ')
                .append(logger).append(": ").append(message);
        for (Throwable t = throwable; t != null; t = t.getCause() == t ? null : t.getCause()) {
            s.append(": ").append(t.getMessage() != null ? t.getMessage() : t.getClass().getName());
        }
        return s.toString();
    }

    /**
     * {@code 2026-12-05 23:59:01.123Z ERROR [mdm.trainer] mdm.trainer.internal.TrainingJob (mdm-training): message},
     * then the stack trace with its causes, ending with a line separator.
     */
    static String fileEntry(long millis, String level, String bundle, String logger, String thread, String message,
                            Throwable throwable) {
        StringBuilder s = new StringBuilder(TIME.format(Instant.ofEpochMilli(millis))).append(' ')
                .append(String.format(Locale.ROOT, "%-5s", level.toUpperCase(Locale.ROOT))).append(" [")
                .append(bundle == null ? "?" : bundle).append("] ").append(logger);
        if (thread != null && !thread.isEmpty()) {
            s.append(" (").append(thread).append(')');
        }
        s.append(": ").append(message).append(System.lineSeparator());
        if (throwable != null) {
            StringWriter trace = new StringWriter();
            try (PrintWriter w = new PrintWriter(trace)) {
                throwable.printStackTrace(w);
            }
            s.append(trace);
        }
        return s.toString();
    }
}
