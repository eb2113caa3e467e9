package mdm.api;

/**
 * A problem a user can fix: bad configuration, a missing file, an unknown component. The message
 * says what is wrong and how to fix it; the runtime keeps running.
 */
public class MdmException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public MdmException(String message) {
        super(message);
    }

    public MdmException(String message, Throwable cause) {
        super(message, cause);
    }
}
