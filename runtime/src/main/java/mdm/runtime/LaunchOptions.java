package mdm.runtime;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Command-line options of the launcher. Everything after the options is one Gogo command line,
 * run without a terminal; with none, the interactive shell opens.
 *
 * @param home    the assembly folder (lib/, repository/, features/)
 * @param work    the work folder (framework cache, DJL natives, job outputs)
 * @param device  cpu, gpu or gpu:N; null keeps the feature's configuration
 * @param command the command line, or null for the interactive shell
 */
record LaunchOptions(Path home, Path work, String device, String command) {
    static final String USAGE = """
            usage: mdm [--home DIR] [--work DIR] [--device cpu|gpu|gpu:N] [COMMAND [ARGS...]]
              no command: opens the interactive Gogo shell (type 'help' or 'mdm:list'; 'exit' quits)
              a command:  runs it as one Gogo command line, prints the result, exits 0 on success
            """;

    static LaunchOptions parse(String[] args, Path defaultHome, Path defaultWork) {
        Path home = defaultHome;
        Path work = defaultWork;
        String device = null;
        int i = 0;
        while (i < args.length && args[i].startsWith("--")) {
            String option = args[i];
            if (option.equals("--help")) {
                throw new IllegalArgumentException(USAGE);
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + option + " needs a value\n" + USAGE);
            }
            String value = args[i + 1];
            switch (option) {
                case "--home" -> home = Path.of(value);
                case "--work" -> work = Path.of(value);
                case "--device" -> device = value;
                default -> throw new IllegalArgumentException("unknown option " + option + "\n" + USAGE);
            }
            i += 2;
        }
        List<String> words = new ArrayList<>();
        if (i == args.length - 1) {
            // one argument is a whole command line: ./mdm 'lb; mdm:list'
            words.add(args[i]);
        } else {
            // several are shell words: ./mdm mdm:sample run --prompt "a red circle"
            for (; i < args.length; i++) {
                words.add(quote(args[i]));
            }
        }
        return new LaunchOptions(home, work, device, words.isEmpty() ? null : String.join(" ", words));
    }

    /** Re-quotes a shell word so Gogo sees it as one argument. */
    static String quote(String word) {
        if (!word.isEmpty() && word.chars().noneMatch(c -> Character.isWhitespace(c) || "\"'{}()[];|&$".indexOf(c) >= 0)) {
            return word;
        }
        return "'" + word.replace("'", "\\'") + "'";
    }
}
