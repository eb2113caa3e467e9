package mdm.trainer.internal;

import org.osgi.service.log.Logger;

/**
 * Where the trainer reports a failure it did not expect (a bug, not bad input): the OSGi Log Service
 * in the runtime, which puts the stack trace in {@code work/logs/mdm.log} and one line on the console.
 * The job's own state and events say what failed either way.
 */
@FunctionalInterface
interface ErrorLog {
    /** For tests and embedders without a Log Service: the job's state and events carry the message. */
    ErrorLog NONE = (message, cause) -> { };

    void error(String message, Throwable cause);

    static ErrorLog of(Logger logger) {
        // "{}": the message is data (a spec name may hold braces), the throwable the entry's exception
        return (message, cause) -> logger.error("{}", message, cause);
    }
}
