package io.vigil.stack;

/** A call to the Flink REST API answered with an error status; the message holds its body. */
public final class FlinkRestException extends StackException {

    private final int statusCode;
    private final String body;

    public FlinkRestException(String request, int statusCode, String body) {
        super(String.format("%s answered HTTP %s: %s", request, statusCode, body));
        this.statusCode = statusCode;
        this.body = body;
    }

    public int statusCode() {
        return statusCode;
    }

    /** The response body, usually Flink's {@code {"errors": [...]}}. */
    public String body() {
        return body;
    }
}
