package mdm.slf4j.internal;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.log.LogEntry;
import org.osgi.service.log.LogLevel;
import org.osgi.service.log.LogListener;
import org.osgi.service.log.LogReaderService;
import org.osgi.service.log.Logger;
import org.osgi.service.log.admin.LoggerAdmin;
import org.osgi.service.log.admin.LoggerContext;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Where the OSGi Log Service's entries go: every entry at the file's level or above to
 * {@code <work>/logs/mdm.log} (size-bounded, rotated), with time, level, bundle, logger, thread and the
 * whole stack trace; warnings and errors also to the console, one line each with the causes' messages
 * (the stack trace only in the file, or on the console too at {@code -Dmdm.log.level=debug}). It also
 * tells the Log Service what to enable: the framework's own bundle and service events only from WARN
 * up, DJL's warning about GPUs nobody asked for only as an error.
 */
@Component(configurationPid = LogFile.PID, immediate = true, service = {})
@Designate(ocd = LogFile.Config.class)
public final class LogFile implements LogListener {
    static final String PID = "mdm.log";
    static final String FILE = "logs/mdm.log";

    @ObjectClassDefinition(name = "mdm log file", description = "the log file in the work folder and the console")
    public @interface Config {
        @AttributeDefinition(description = "the least severe level written to the file: error, warn, info, debug, trace")
        String level() default "info";

        @AttributeDefinition(description = "the least severe level shown on the console (default: -Dmdm.log.level, else warn)")
        String console_level() default "";

        @AttributeDefinition(description = "size in bytes at which mdm.log is renamed mdm.log.1 and a new one begins")
        long max_file_bytes() default 10L << 20;

        @AttributeDefinition(description = "rotated files kept beside mdm.log (mdm.log.1 … mdm.log.N)")
        int files_kept() default 3;
    }

    /** What to write where. */
    record Settings(LogLevel fileLevel, LogLevel consoleLevel, long maxFileBytes, int filesKept) {
        static Settings of(Config c) {
            String console = c.console_level().isBlank() ? System.getProperty(ConsoleLogger.LEVEL_PROPERTY, "warn")
                    : c.console_level();
            return new Settings(level("level", c.level()), level("console_level", console), c.max_file_bytes(),
                    c.files_kept());
        }

        static LogLevel level(String key, String value) {
            try {
                return LogLevel.valueOf(value.trim().toUpperCase(java.util.Locale.ROOT).replace("WARNING", "WARN"));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("bad " + key + " '" + value + "' in configuration " + PID
                        + ": expected one of error, warn, info, debug, trace");
            }
        }
    }

    private final Path path;
    // replaced together when the configuration changes (@Modified: the listener stays, no entry is missed)
    private volatile RotatingFile file;
    private volatile Settings settings;
    private final PrintStream console;
    private final LogReaderService reader;
    private final LogListener registered;
    private final LoggerContext root;
    private final Map<String, LogLevel> previousLevels;

    @Activate
    public LogFile(BundleContext context, @Reference LogReaderService reader,
                   @Reference(cardinality = ReferenceCardinality.OPTIONAL) LoggerAdmin admin, Config config)
            throws IOException {
        this(Path.of(context.getProperty("mdm.work") == null ? "work" : context.getProperty("mdm.work")).resolve(FILE),
                reader, admin, Settings.of(config), System.err);
    }

    LogFile(Path path, LogReaderService reader, LoggerAdmin admin, Settings settings, PrintStream console)
            throws IOException {
        this.path = path;
        this.file = new RotatingFile(path, settings.maxFileBytes(), settings.filesKept());
        this.settings = settings;
        this.console = console;
        this.reader = reader;
        this.root = admin == null ? null : admin.getLoggerContext(null);
        this.previousLevels = root == null ? null : root.getLogLevels();
        if (root != null) {
            root.setLogLevels(levels(previousLevels, settings));
        }
        this.registered = Synchronous.wrap(this);
        reader.addLogListener(registered);
        // where one runtime's entries begin (several runs append to one file)
        note("logging to " + path + " (process " + ProcessHandle.current().pid() + "; " + describe(settings) + ")");
    }

    /** A new configuration: the same listener writes with the new settings from the next entry on. */
    @Modified
    synchronized void modified(Config config) throws IOException {
        Settings next = Settings.of(config);
        RotatingFile old = file;
        file = new RotatingFile(path, next.maxFileBytes(), next.filesKept());
        settings = next;
        old.close();
        if (root != null) {
            root.setLogLevels(levels(previousLevels, next));
        }
        note("configuration " + PID + " changed: " + describe(next));
    }

    private static String describe(Settings s) {
        return "file from " + s.fileLevel() + ", console from " + s.consoleLevel() + ", " + s.maxFileBytes()
                + " bytes per file, " + s.filesKept() + " older files kept";
    }

    private void note(String message) throws IOException {
        file.write(LogFormat.fileEntry(System.currentTimeMillis(), "INFO", "mdm.slf4j", LogFile.class.getName(),
                Thread.currentThread().getName(), message, null));
    }

    /** The root context's levels with ours: the more verbose of file and console, the framework's events quieter. */
    static Map<String, LogLevel> levels(Map<String, LogLevel> configured, Settings settings) {
        Map<String, LogLevel> levels = new HashMap<>(configured);
        LogLevel verbose = settings.fileLevel().implies(settings.consoleLevel()) ? settings.fileLevel()
                : settings.consoleLevel();
        levels.put(Logger.ROOT_LOGGER_NAME, verbose);
        levels.putIfAbsent("Events.Bundle", LogLevel.WARN);
        levels.putIfAbsent("Events.Service", LogLevel.WARN);
        levels.putIfAbsent("ai.djl.util.cuda.CudaUtils", LogLevel.ERROR);
        return levels;
    }

    Path path() {
        return file.path();
    }

    @Override
    public synchronized void logged(LogEntry entry) {
        Settings settings = this.settings;
        RotatingFile file = this.file;
        LogLevel level = entry.getLogLevel();
        String bundle = entry.getBundle() == null ? null : entry.getBundle().getSymbolicName();
        if (settings.fileLevel().implies(level)) {
            try {
                file.write(LogFormat.fileEntry(entry.getTime(), level.name(), bundle, entry.getLoggerName(),
                        entry.getThreadInfo(), entry.getMessage(), entry.getException()));
            } catch (IOException e) {
                console.println(LogFormat.consoleLine("WARN", LogFile.class.getName(),
                        "cannot write the log file " + file.path(), e));
            }
        }
        if (settings.consoleLevel().implies(level)) {
            Throwable t = entry.getException();
            String line = LogFormat.consoleLine(level.name(), entry.getLoggerName(), entry.getMessage(), t);
            boolean traces = settings.consoleLevel().implies(LogLevel.DEBUG);
            console.println(t == null || traces || !settings.fileLevel().implies(level) ? line
                    : line + " (stack trace in " + file.path() + ")");
            if (t != null && traces) {
                t.printStackTrace(console);
            }
        }
    }

    @Deactivate
    void close() throws IOException {
        reader.removeLogListener(registered);
        if (root != null) {
            root.setLogLevels(previousLevels);
        }
        file.close();
    }
}
