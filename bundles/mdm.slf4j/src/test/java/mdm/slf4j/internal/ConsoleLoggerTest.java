package mdm.slf4j.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.BindException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class ConsoleLoggerTest {
    @Test
    void warningsAreOneLineWithTheCausesAndInfoIsQuietByDefault() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ConsoleLogger log = new ConsoleLogger("org.eclipse.jetty.server.Server", ConsoleLogger.Level.WARN,
                new PrintStream(bytes, true, StandardCharsets.UTF_8));
        log.info("Started {}", "Server@1");
        log.warn("Failed to start {}", "Connector{127.0.0.1:8642}",
                new IOException("Failed to bind to /127.0.0.1:8642", new BindException("Address already in use")));
        String printed = bytes.toString(StandardCharsets.UTF_8);
        assertEquals("mdm: WARN org.eclipse.jetty.server.Server: Failed to start Connector{127.0.0.1:8642}: "
                + "Failed to bind to /127.0.0.1:8642: Address already in use" + System.lineSeparator(), printed);
    }

    @Test
    void levelsParseInAnyCaseAndDefaultToWarn() {
        assertEquals(ConsoleLogger.Level.DEBUG, ConsoleLogger.Level.parse("debug"));
        assertEquals(ConsoleLogger.Level.WARN, ConsoleLogger.Level.parse(null));
        assertEquals(ConsoleLogger.Level.WARN, ConsoleLogger.Level.parse("loud"));
        ConsoleLogger off = new ConsoleLogger("x", ConsoleLogger.Level.OFF, System.err);
        assertFalse(off.isErrorEnabled());
    }

    @Test
    void slf4jFindsTheProviderThroughItsOwnClassLoader() {
        // outside OSGi there is no Log Service: the logger prints to the console itself
        assertTrue(LoggerFactory.getLogger("x") instanceof LogServiceLogger, "the service file names the provider");
    }
}
