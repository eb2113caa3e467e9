package mdm.shell.internal;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.ToIntFunction;
import org.apache.felix.gogo.runtime.CommandNotFoundException;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Converter;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Runs one command line without a terminal and answers its exit status, for {@code ./mdm <command>}.
 * Published as a JDK functional interface so the launcher, outside the framework, can call it
 * without sharing any class with the bundles (Gogo's own {@code gosh.args -c} needs a terminal).
 */
@Component(service = ToIntFunction.class, property = "mdm.exec=true")
public class BatchRunner implements ToIntFunction<String> {
    private final CommandProcessor processor;
    private final BundleContext context;

    @Activate
    public BatchRunner(@Reference CommandProcessor processor, BundleContext context) {
        this.processor = processor;
        this.context = context;
    }

    @Override
    public int applyAsInt(String commandLine) {
        // The process's own descriptors: Gogo replaces System.out with a per-thread stream that
        // would write back into the session (endless recursion when a command prints).
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true);
        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true);
        try (CommandSession session = processor.createSession(new FileInputStream(FileDescriptor.in), out, err)) {
            try {
                return execute(session, commandLine, out);
            } catch (CommandNotFoundException e) {
                err.println("unknown command '" + e.getCommand() + "'. The mdm commands are: "
                        + String.join(", ", mdmCommands()));
                return 2;
            } catch (Exception e) {
                err.println("error: " + messageOf(session, commandLine, e));
                return 1;
            }
        }
    }

    /**
     * Runs one command line in {@code session} as the interactive shell would: gogo's scope first
     * (help, exit), then every other.
     */
    static int execute(CommandSession session, String commandLine, PrintStream out) throws Exception {
        session.put("SCOPE", "gogo:*");
        Object result = session.execute(commandLine);
        if (result != null) {
            out.println(session.format(result, Converter.INSPECT));
        }
        out.flush();
        return 0;
    }

    /**
     * The error's own message; for Gogo's "Cannot coerce …" (the words did not fit the command's
     * options, e.g. an option without its value) the command's usage instead.
     */
    static String messageOf(CommandSession session, String commandLine, Throwable e) {
        String message = messageOf(e);
        if (e instanceof IllegalArgumentException && message.startsWith("Cannot coerce ")) {
            String[] words = commandLine.trim().split("\\s+");
            Map<String, List<Method>> commands = HelpCommand.commands(session);
            String command = words.length == 0 ? null : HelpCommand.resolve(words[0], commands);
            if (command != null && !commands.get(command).isEmpty()) {
                Method m = commands.get(command).get(0);
                String without = CommandUsage.optionWithoutValue(m, Arrays.asList(words).subList(1, words.length));
                return "wrong arguments for " + command + (without != null ? ": option " + without + " needs a value"
                        : ": the words do not fit its options and operands") + "\n" + CommandUsage.usage(command, m)
                        + "\n(help " + command + " describes every option)";
            }
        }
        return message;
    }

    static String messageOf(Throwable e) {
        Throwable t = e;
        while ((t.getMessage() == null || t instanceof java.lang.reflect.InvocationTargetException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage() != null ? t.getMessage() : t.toString();
    }

    private Set<String> mdmCommands() {
        Set<String> names = new TreeSet<>();
        try {
            ServiceReference<?>[] refs = context.getAllServiceReferences(null, "(osgi.command.scope=mdm)");
            if (refs != null) {
                for (ServiceReference<?> ref : refs) {
                    for (String f : ComponentTable.names(ref.getProperty("osgi.command.function"))) {
                        names.add("mdm:" + f);
                    }
                }
            }
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
        return names;
    }
}
