package mdm.web.internal;

/** A request that cannot be served, with the HTTP status and a message for the person who sent it. */
final class WebError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;

    WebError(int status, String message) {
        super(message);
        this.status = status;
    }

    static WebError badRequest(String message) {
        return new WebError(400, message);
    }

    static WebError notFound(String message) {
        return new WebError(404, message);
    }
}
