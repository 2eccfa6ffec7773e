package io.vigil.stack;

/** Something about the local stack went wrong that a caller cannot fix by retrying at once. */
public class StackException extends RuntimeException {

    public StackException(String message) {
        super(message);
    }

    public StackException(String message, Throwable cause) {
        super(message, cause);
    }
}
