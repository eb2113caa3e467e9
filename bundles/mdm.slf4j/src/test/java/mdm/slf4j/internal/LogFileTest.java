package mdm.slf4j.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;
import org.osgi.service.log.LogLevel;
import org.osgi.service.log.LogReaderService;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.service.log.admin.LoggerAdmin;

/** The log file against Equinox's own Log Service: a framework booted in the test, no bundles of ours. */
class LogFileTest {
    @TempDir
    Path dir;
    private Framework framework;
    private BundleContext context;
    private final ByteArrayOutputStream console = new ByteArrayOutputStream();

    @BeforeEach
    void boot() throws Exception {
        FrameworkFactory factory = ServiceLoader.load(FrameworkFactory.class).findFirst().orElseThrow();
        framework = factory.newFramework(Map.of(Constants.FRAMEWORK_STORAGE, dir.resolve("osgi").toString(),
                Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT));
        framework.start();
        context = framework.getBundleContext();
    }

    @AfterEach
    void stop() throws Exception {
        framework.stop();
        framework.waitForStop(10_000);
    }

    private <S> S service(Class<S> type) {
        return context.getService(context.getServiceReference(type));
    }

    private LogFile logFile(LogFile.Settings settings) throws IOException {
        return new LogFile(dir.resolve("work/logs/mdm.log"), service(LogReaderService.class), service(LoggerAdmin.class),
                settings, new PrintStream(console, true, StandardCharsets.UTF_8));
    }

    private static LogFile.Settings defaults() {
        return new LogFile.Settings(LogLevel.INFO, LogLevel.WARN, 10L << 20, 3);
    }

    @Test
    void anErrorReachesTheFileWithItsStackTraceAndTheConsoleAsOneLine() throws Exception {
        LogFile log = logFile(defaults());
        Logger logger = service(LoggerFactory.class).getLogger("mdm.trainer.internal.TrainingJob");
        logger.error("job {} failed", "shapes-class-1",
                new IllegalStateException("step 7 diverged", new IOException("disk full")));
        logger.info("job {} started", "shapes-class-2");
        logger.debug("not wanted in the file");

        // delivered on the logging thread: the entry is in the file as soon as the call returns
        String file = Files.readString(log.path());
        // (the framework's own "FrameworkEvent STARTED" may come before, from its event thread)
        assertTrue(java.util.regex.Pattern.compile("(?s)\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z ERROR \\[org\\.eclipse\\.osgi] "
                + "mdm\\.trainer\\.internal\\.TrainingJob \\(.+?\\): job shapes-class-1 failed\\R"
                + "java\\.lang\\.IllegalStateException: step 7 diverged\\R"
                + "\\tat mdm\\.slf4j\\.internal\\.LogFileTest\\.anErrorReachesTheFile.*"
                + "Caused by: java\\.io\\.IOException: disk full\\R").matcher(file).find(), file);
        assertTrue(file.contains(" INFO  [org.eclipse.osgi] mdm.trainer.internal.TrainingJob (main): job shapes-class-2 started"),
                file);
        assertFalse(file.contains("not wanted"), file);
        assertEquals("mdm: ERROR mdm.trainer.internal.TrainingJob: job shapes-class-1 failed: step 7 diverged: disk full"
                + " (stack trace in " + log.path() + ")" + System.lineSeparator(), console.toString(StandardCharsets.UTF_8));
        log.close();
    }

    @Test
    void slf4jMessagesGoThroughTheLogServiceUnderTheirOwnName() throws Exception {
        LogFile log = logFile(defaults());
        LoggerFactory factory = service(LoggerFactory.class);
        LogServiceLogger slf4j = new LogServiceLogger("ai.djl.pytorch.engine.PtEngine", LogServiceLink.to(() -> factory),
                new ConsoleLogger("unused", ConsoleLogger.Level.OFF, System.err));
        slf4j.info("Number of inter-op threads is {}", 2);
        slf4j.warn("literal {} braces stay: {}", "x", "{}");
        slf4j.debug("quiet");
        assertTrue(slf4j.isInfoEnabled());
        assertFalse(slf4j.isDebugEnabled(), "the Log Service's levels decide");
        String file = Files.readString(log.path());
        assertTrue(file.contains("INFO  [org.eclipse.osgi] ai.djl.pytorch.engine.PtEngine (main): Number of inter-op threads is 2"),
                file);
        assertTrue(file.contains("WARN  [org.eclipse.osgi] ai.djl.pytorch.engine.PtEngine (main): literal x braces stay: {}"),
                file);
        assertFalse(file.contains("quiet"), file);
        assertEquals("mdm: WARN ai.djl.pytorch.engine.PtEngine: literal x braces stay: {}" + System.lineSeparator(),
                console.toString(StandardCharsets.UTF_8));
        log.close();
    }

    /** DJL may log before this bundle starts: those messages wait and reach the file, in order, once it can. */
    @Test
    void slf4jMessagesFromBeforeTheLogServiceArrivesReachItLater() throws Exception {
        LogFile log = logFile(defaults());
        java.util.concurrent.atomic.AtomicReference<LoggerFactory> registered = new java.util.concurrent.atomic.AtomicReference<>();
        LogServiceLink link = LogServiceLink.to(registered::get);
        LogServiceLogger cuda = new LogServiceLogger("ai.djl.util.cuda.CudaUtils", link,
                new ConsoleLogger("unused", ConsoleLogger.Level.WARN, new PrintStream(console, true, StandardCharsets.UTF_8)));
        LogServiceLogger engine = new LogServiceLogger("ai.djl.pytorch.engine.PtEngine", link, null);
        assertTrue(engine.isInfoEnabled(), "kept for the Log Service");
        cuda.warn("Failed to detect GPU count: {}", "CUDA driver version is insufficient");
        engine.info("first");
        engine.info("second");
        assertFalse(Files.readString(log.path()).contains("first"));
        registered.set(service(LoggerFactory.class));
        engine.info("third");
        String file = Files.readString(log.path());
        assertTrue(file.matches("(?s).*: first\\R.*: second\\R.*: third\\R.*"), file);
        assertFalse(file.contains("GPU count"), "DJL's GPU warning is an error-only logger: " + file);
        assertEquals("", console.toString(StandardCharsets.UTF_8), "nothing printed by the waiting loggers");
        log.close();
    }

    @Test
    void theFrameworksBundleAndServiceEventsStayOutAndLevelsAreRestored() throws Exception {
        LoggerAdmin admin = service(LoggerAdmin.class);
        Map<String, LogLevel> before = admin.getLoggerContext(null).getLogLevels();
        LogFile log = logFile(defaults());
        assertEquals(LogLevel.WARN, admin.getLoggerContext(null).getLogLevels().get("Events.Service"));
        context.registerService(Runnable.class, () -> { }, null).unregister();
        log.close();
        assertFalse(Files.readString(log.path()).contains("Events.Service"));
        assertEquals(before, admin.getLoggerContext(null).getLogLevels());
    }

    @Test
    void atDebugTheConsoleShowsStackTracesToo() throws Exception {
        LogFile log = logFile(new LogFile.Settings(LogLevel.INFO, LogLevel.DEBUG, 10L << 20, 3));
        service(LoggerFactory.class).getLogger("x").warn("slow", new IllegalStateException("why"));
        String printed = console.toString(StandardCharsets.UTF_8);
        assertTrue(printed.contains("mdm: WARN x: slow: why" + System.lineSeparator()
                + "java.lang.IllegalStateException: why"), printed);
        log.close();
    }

    @Test
    void theFileRotatesAtItsSizeAndKeepsTheNewest() throws Exception {
        Path path = dir.resolve("logs/mdm.log");
        try (RotatingFile file = new RotatingFile(path, 100, 2)) {
            for (int i = 0; i < 10; i++) {
                file.write(String.format("%-39d%n", i)); // 40 bytes: two entries per file
            }
        }
        assertEquals("8", Files.readAllLines(path).get(0).trim());
        assertEquals(2, Files.readAllLines(path).size());
        assertEquals("6", Files.readAllLines(path.resolveSibling("mdm.log.1")).get(0).trim());
        assertEquals("4", Files.readAllLines(path.resolveSibling("mdm.log.2")).get(0).trim());
        assertFalse(Files.exists(path.resolveSibling("mdm.log.3")));
    }

    @Test
    void aBadLevelNamesTheKeyAndTheChoices() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LogFile.Settings.level("level", "loud"));
        assertEquals("bad level 'loud' in configuration mdm.log: expected one of error, warn, info, debug, trace",
                e.getMessage());
        assertEquals(LogLevel.WARN, LogFile.Settings.level("console_level", "Warning"));
    }
}
