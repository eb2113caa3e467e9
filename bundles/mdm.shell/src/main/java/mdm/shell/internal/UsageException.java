package mdm.shell.internal;

import mdm.api.MdmException;

/** A command line that does not fit its command: the message names what is wrong and the usage. */
final class UsageException extends MdmException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
        super(message);
    }

    /** The interactive shell prints {@code toString()}: the message alone, without the class name. */
    @Override
    public String toString() {
        return getMessage();
    }
}
