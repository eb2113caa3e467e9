package mdm.shell.internal;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The operands (the words after the options) a command takes, each written
 * {@code "<name> what it is"}; {@code [name]} marks an optional one and {@code name...} one that
 * repeats. The command's method takes them as one {@code String...} parameter so that Gogo always
 * reaches the command, which then names what is missing ({@link CommandUsage#operands}) instead of
 * Gogo's "Cannot coerce"; {@code help} prints them.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
@interface Operands {
    String[] value();
}
