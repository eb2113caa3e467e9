package mdm.shell.internal;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;

/**
 * A command's usage, read from the same annotations Gogo parses the command line with
 * ({@link Descriptor}, {@link Parameter}) and the {@link Operands} it declares: the usage line, the
 * full help text, and the check of the operands given, which names what is missing.
 */
final class CommandUsage {
    /** Function names Gogo calls through a method with a leading '_' (Java keywords). */
    private static final Set<String> KEYWORDS = Set.of("abstract", "continue", "for", "new", "switch", "assert",
            "default", "goto", "package", "synchronized", "boolean", "do", "if", "private", "this", "break", "double",
            "implements", "protected", "throw", "byte", "else", "import", "public", "throws", "case", "enum",
            "instanceof", "return", "transient", "catch", "extends", "int", "short", "try", "char", "final",
            "interface", "static", "void", "class", "finally", "long", "strictfp", "volatile", "const", "float",
            "native", "super", "while");

    private CommandUsage() {
    }

    /** One operand of {@link Operands}: its name, whether it must be given, whether it repeats. */
    record Operand(String name, boolean required, boolean repeats, String description) {
        static Operand parse(String declared) {
            String d = declared.trim();
            char open = d.charAt(0);
            int close = d.indexOf(open == '<' ? '>' : ']');
            if ((open != '<' && open != '[') || close < 0) {
                throw new IllegalArgumentException("operand '" + declared + "' must start with <name> or [name]");
            }
            String name = d.substring(1, close);
            boolean repeats = name.endsWith("...");
            if (repeats) {
                name = name.substring(0, name.length() - 3);
            }
            return new Operand(name, open == '<', repeats, d.substring(close + 1).trim());
        }

        String syntax() {
            String n = (required ? "<" + name + ">" : "[" + name + "]");
            return repeats ? n + "..." : n;
        }
    }

    /** The public methods Gogo may call for {@code function} on {@code type}, most parameters first. */
    static List<Method> methods(Class<?> type, String function) {
        String f = function.toLowerCase();
        String name = KEYWORDS.contains(f) ? "_" + f : f;
        return Arrays.stream(type.getMethods()).filter(m -> m.getName().toLowerCase().equals(name))
                .sorted(Comparator.comparingInt(Method::getParameterCount).reversed()
                        .thenComparing(Method::toGenericString))
                .toList();
    }

    /** The function name of a command method: {@code _import} is {@code import}. */
    static String function(Method m) {
        String n = m.getName();
        return n.startsWith("_") && KEYWORDS.contains(n.substring(1)) ? n.substring(1) : n;
    }

    static List<Operand> operands(Method m) {
        Operands o = m.getAnnotation(Operands.class);
        return o == null ? null : Arrays.stream(o.value()).map(Operand::parse).toList();
    }

    /** {@code usage: mdm:train [--wait] [--steps <value>] <spec>}; options are summarised beyond three. */
    static String usage(String command, Method m) {
        List<String> words = new ArrayList<>();
        words.add("usage: " + command);
        List<Parameter> options = new ArrayList<>();
        for (Annotation[] as : m.getParameterAnnotations()) {
            Parameter p = find(as, Parameter.class);
            if (p != null) {
                options.add(p);
            }
        }
        if (options.size() > 3) {
            words.add("[options]");
        } else {
            options.forEach(p -> words.add("[" + optionSyntax(p) + "]"));
        }
        List<Operand> operands = operands(m);
        if (operands != null) {
            operands.forEach(o -> words.add(o.syntax()));
        } else {
            Class<?>[] types = m.getParameterTypes();
            Annotation[][] anns = m.getParameterAnnotations();
            for (int i = 0; i < types.length; i++) {
                if (types[i] != CommandSession.class && find(anns[i], Parameter.class) == null) {
                    words.add(plainOperand(types[i]));
                }
            }
        }
        return String.join(" ", words);
    }

    /** The whole help text of one method: what it does, its usage, its options and operands. */
    static String describe(String command, Method m) {
        StringBuilder s = new StringBuilder();
        Descriptor d = m.getAnnotation(Descriptor.class);
        s.append(command);
        if (d != null) {
            s.append(" - ").append(d.value());
        }
        s.append('\n').append(usage(command, m)).append('\n');
        List<String[]> rows = new ArrayList<>();
        Class<?>[] types = m.getParameterTypes();
        Annotation[][] anns = m.getParameterAnnotations();
        List<Operand> operands = operands(m);
        List<String[]> optionRows = new ArrayList<>();
        for (int i = 0; i < types.length; i++) {
            if (types[i] == CommandSession.class) {
                continue;
            }
            Parameter p = find(anns[i], Parameter.class);
            Descriptor pd = find(anns[i], Descriptor.class);
            String text = pd == null ? "" : pd.value();
            if (p != null) {
                String names = String.join(", ", p.names())
                        + (Parameter.UNSPECIFIED.equals(p.presentValue()) ? " <value>" : "");
                boolean showDefault = Parameter.UNSPECIFIED.equals(p.presentValue()) && !p.absentValue().isEmpty()
                        && !Parameter.UNSPECIFIED.equals(p.absentValue()) && !text.contains("default");
                optionRows.add(new String[] {names, text + (showDefault ? " (default " + p.absentValue() + ")" : "")});
            } else if (operands == null) {
                rows.add(new String[] {plainOperand(types[i]), text});
            }
        }
        if (operands != null) {
            operands.forEach(o -> rows.add(new String[] {o.syntax(), o.description()}));
        }
        if (!rows.isEmpty()) {
            s.append("operands:\n").append(columns(rows));
        }
        if (!optionRows.isEmpty()) {
            s.append("options:\n").append(columns(optionRows));
        }
        return s.toString();
    }

    /**
     * The operands given to {@code function} of {@code type}, checked against its {@link Operands}:
     * as many as declared (absent optional ones are null, a repeating last one takes the rest).
     *
     * @throws UsageException naming what is missing or unexpected, with the usage line
     */
    static String[] operands(Class<?> type, String scope, String function, String[] given) {
        Method m = methods(type, function).stream().filter(x -> x.isAnnotationPresent(Operands.class)).findFirst()
                .orElseThrow(() -> new IllegalStateException(type + "." + function + " declares no @Operands"));
        String command = scope.equals("gogo") ? function : scope + ":" + function; // gogo's are typed bare
        List<Operand> declared = operands(m);
        String[] words = given == null ? new String[0] : given;
        for (String w : words) {
            if (("--help".equals(w) || "-h".equals(w)) && !knownOption(m, w)) {
                throw new UsageException(describe(command, m).trim()); // Gogo's convention, also its completion's
            }
        }
        for (String w : words) {
            if (w != null && w.length() > 1 && w.charAt(0) == '-' && Character.isLetter(w.charAt(w.length() > 2 && w.charAt(1) == '-' ? 2 : 1))) {
                throw new UsageException(command + ": " + (knownOption(m, w) ? "option " + w + " is given twice"
                        : "unknown option " + w) + "\n" + usage(command, m) + "\n" + hint(command));
            }
        }
        boolean repeats = !declared.isEmpty() && declared.get(declared.size() - 1).repeats();
        long required = declared.stream().filter(Operand::required).count();
        if (words.length < required) {
            List<String> missing = declared.subList(words.length, declared.size()).stream().filter(Operand::required)
                    .map(Operand::syntax).toList();
            throw new UsageException(command + " needs " + and(missing) + "\n" + usage(command, m) + "\n" + hint(command));
        }
        if (!repeats && words.length > declared.size()) {
            List<String> extra = Arrays.asList(words).subList(declared.size(), words.length);
            throw new UsageException(command + ": unexpected " + (extra.size() == 1 ? "operand '" : "operands '")
                    + String.join("' '", extra) + "' (" + (declared.isEmpty() ? "it takes none"
                    : "it takes " + and(declared.stream().map(Operand::syntax).toList())) + ")\n" + usage(command, m)
                    + "\n" + hint(command));
        }
        return words.length >= declared.size() ? words : Arrays.copyOf(words, declared.size());
    }

    /** The option among {@code words} that takes a value but has none after it, or null. */
    static String optionWithoutValue(Method m, List<String> words) {
        for (int i = 0; i < words.size(); i++) {
            for (Annotation[] as : m.getParameterAnnotations()) {
                Parameter p = find(as, Parameter.class);
                if (p != null && Parameter.UNSPECIFIED.equals(p.presentValue())
                        && Arrays.asList(p.names()).contains(words.get(i))
                        && (i == words.size() - 1 || knownOption(m, words.get(i + 1)))) {
                    return words.get(i);
                }
            }
        }
        return null;
    }

    /** An operand of a command without {@link Operands}: {@code <arg>}, or {@code [arg...]} for a trailing array. */
    private static String plainOperand(Class<?> type) {
        return type.isArray() ? "[arg...]" : "<arg>";
    }

    private static boolean knownOption(Method m, String word) {
        for (Annotation[] as : m.getParameterAnnotations()) {
            Parameter p = find(as, Parameter.class);
            if (p != null && Arrays.asList(p.names()).contains(word)) {
                return true;
            }
        }
        return false;
    }

    private static String hint(String command) {
        return "(help " + command + " describes every option)";
    }

    private static String and(List<String> parts) {
        if (parts.size() <= 1) {
            return String.join("", parts);
        }
        return String.join(", ", parts.subList(0, parts.size() - 1)) + " and " + parts.get(parts.size() - 1);
    }

    private static String optionSyntax(Parameter p) {
        return p.names()[0] + (Parameter.UNSPECIFIED.equals(p.presentValue()) ? " <value>" : "");
    }

    private static String columns(List<String[]> rows) {
        int width = rows.stream().mapToInt(r -> r[0].length()).max().orElse(0);
        StringBuilder s = new StringBuilder();
        for (String[] r : rows) {
            s.append("  ").append(r[0]);
            if (!r[1].isEmpty()) {
                s.append(" ".repeat(width - r[0].length() + 3)).append(r[1]);
            }
            s.append('\n');
        }
        return s.toString();
    }

    static <T extends Annotation> T find(Annotation[] annotations, Class<T> type) {
        for (Annotation a : annotations) {
            if (type.isInstance(a)) {
                return type.cast(a);
            }
        }
        return null;
    }
}
