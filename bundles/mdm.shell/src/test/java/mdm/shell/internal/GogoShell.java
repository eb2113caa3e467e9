package mdm.shell.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Field;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.felix.gogo.runtime.CommandProcessorImpl;
import org.apache.felix.gogo.runtime.threadio.ThreadIOImpl;
import org.apache.felix.service.command.CommandSession;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

/**
 * Gogo's real command processor, without a framework: the shell's command objects are added under
 * the scopes and functions their components declare, so command lines are parsed and coerced
 * exactly as in the runtime.
 */
final class GogoShell implements AutoCloseable {
    final ThreadIOImpl threadIo = new ThreadIOImpl();
    final CommandProcessorImpl processor;
    final List<String> systemBundleCalls = new ArrayList<>();

    GogoShell() {
        threadIo.start();
        processor = new CommandProcessorImpl(threadIo);
    }

    /** Adds {@code target} under {@code scope} for each function its component's properties name. */
    GogoShell add(String scope, Object target, String... functions) {
        for (String f : functions) {
            processor.addCommand(scope, target, f);
        }
        return this;
    }

    /** A bundle context that answers {@code properties} and a system bundle that records stop(). */
    BundleContext context(Map<String, String> properties) {
        Bundle system = (Bundle) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Bundle.class},
                (p, m, a) -> {
                    systemBundleCalls.add(m.getName());
                    return m.getReturnType() == int.class ? Bundle.ACTIVE : null;
                });
        return (BundleContext) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {BundleContext.class},
                (p, m, a) -> switch (m.getName()) {
                    case "getProperty" -> properties.get((String) a[0]);
                    case "getBundle" -> system;
                    default -> throw new UnsupportedOperationException(m.getName());
                });
    }

    /** What a command line returns (formatted) plus what it prints; throws what it throws. */
    String run(String line) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        try (CommandSession session = processor.createSession(new ByteArrayInputStream(new byte[0]), out, out)) {
            BatchRunner.execute(session, line, out);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** The message {@code ./mdm <line>} prints for a failing line. */
    String error(String line) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        try (CommandSession session = processor.createSession(new ByteArrayInputStream(new byte[0]), out, out)) {
            BatchRunner.execute(session, line, out);
            throw new AssertionError("'" + line + "' did not fail: " + bytes.toString(StandardCharsets.UTF_8));
        } catch (Exception e) {
            try (CommandSession session = processor.createSession(new ByteArrayInputStream(new byte[0]), out, out)) {
                return BatchRunner.messageOf(session, line, e);
            }
        }
    }

    /** Sets a component's injected field, as Declarative Services would. */
    static void inject(Object component, String field, Object value) {
        try {
            Field f = component.getClass().getDeclaredField(field);
            f.setAccessible(true);
            f.set(component, value);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        threadIo.stop();
    }
}
