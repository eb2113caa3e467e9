package mdm.shell.internal;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import mdm.core.config.Names;
import org.apache.felix.gogo.runtime.CommandProxy;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Component;

/**
 * {@code help}: the commands, or one command's usage, options and operands. It takes the place of
 * Gogo's own {@code help} (same scope, higher ranking) because that one looks methods up by the
 * command's name and so finds nothing for {@code mdm:import}, whose method is {@code _import}
 * ({@code import} is a Java keyword), and it prints no usage line.
 */
@Component(service = HelpCommand.class, property = {
        "osgi.command.scope=gogo",
        "osgi.command.function=help",
        "service.ranking:Integer=100"})
public class HelpCommand {
    /** Scopes searched first for a name given without one. */
    private static final List<String> PREFERRED = List.of("mdm", "gogo", "felix");

    @Descriptor("list the commands, or describe one: what it does, its usage, options and operands")
    public String help(CommandSession session,
                       @Descriptor("a command, e.g. mdm:train or train") String... command) {
        Map<String, List<Method>> commands = commands(session);
        if (command == null || command.length == 0) {
            return list(commands);
        }
        if (command.length > 1) {
            throw new UsageException("help describes one command at a time, got " + command.length
                    + "\nusage: help [command]");
        }
        return describe(command[0], commands);
    }

    /** Every command of the session with the methods that serve it. */
    static Map<String, List<Method>> commands(CommandSession session) {
        Map<String, List<Method>> out = new LinkedHashMap<>();
        @SuppressWarnings("unchecked")
        Set<String> names = new TreeSet<>((Set<String>) session.get(".commands"));
        for (String name : names) {
            Object f = session.get(name);
            if (f instanceof CommandProxy proxy) {
                Object target = proxy.getTarget();
                try {
                    if (target != null) {
                        out.put(name, CommandUsage.methods(target.getClass(), name.substring(name.indexOf(':') + 1)));
                    }
                } finally {
                    proxy.ungetTarget();
                }
            }
        }
        return out;
    }

    /** The mdm commands with what each does, then the others by name. */
    static String list(Map<String, List<Method>> commands) {
        StringBuilder s = new StringBuilder("mdm commands (help <command> for its usage and options):\n");
        List<String[]> rows = new ArrayList<>();
        List<String> others = new ArrayList<>();
        commands.forEach((name, methods) -> {
            if (name.startsWith("mdm:")) {
                Descriptor d = methods.isEmpty() ? null : methods.get(0).getAnnotation(Descriptor.class);
                rows.add(new String[] {name, d == null ? "" : d.value().split("; |\\. ")[0]});
            } else {
                others.add(name);
            }
        });
        int width = rows.stream().mapToInt(r -> r[0].length()).max().orElse(0);
        for (String[] r : rows) {
            s.append("  ").append(r[0]).append(" ".repeat(width - r[0].length() + 3)).append(r[1]).append('\n');
        }
        if (!others.isEmpty()) {
            s.append("other commands:\n");
            StringBuilder line = new StringBuilder(" ");
            for (String o : others) {
                if (line.length() + o.length() > 100) {
                    s.append(line).append('\n');
                    line = new StringBuilder(" ");
                }
                line.append(' ').append(o);
            }
            s.append(line).append('\n');
        }
        return s.toString();
    }

    static String describe(String name, Map<String, List<Method>> commands) {
        String found = resolve(name, commands);
        if (found == null || commands.get(found).isEmpty()) {
            Set<String> known = new TreeSet<>(commands.keySet());
            String plain = name.substring(name.indexOf(':') + 1);
            known.addAll(commands.keySet().stream().map(k -> k.substring(k.indexOf(':') + 1)).toList());
            throw new UsageException("no command '" + name + "'; " + Names.nearest(name, known)
                    .or(() -> Names.nearest(plain, known)).map(c -> "did you mean '" + c + "'? ").orElse("")
                    + "help lists them");
        }
        List<String> parts = new ArrayList<>();
        for (Method m : commands.get(found)) {
            parts.add(CommandUsage.describe(found, m));
        }
        return String.join("\n", parts);
    }

    /** {@code scope:function} as given, or the command of that function, preferring mdm, gogo, felix. */
    static String resolve(String name, Map<String, List<Method>> commands) {
        if (name.indexOf(':') >= 0) {
            return commands.containsKey(name) ? name : null;
        }
        return commands.keySet().stream().filter(k -> k.substring(k.indexOf(':') + 1).equals(name))
                .min(Comparator.comparingInt(HelpCommand::preference).thenComparing(Comparator.naturalOrder()))
                .orElse(null);
    }

    private static int preference(String command) {
        int i = PREFERRED.indexOf(command.substring(0, command.indexOf(':')));
        return i < 0 ? PREFERRED.size() : i;
    }
}
