package io.vigil.notifier.silence;

/** A silence that cannot be accepted; the message tells the operator what to fix. */
public final class InvalidSilenceException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public InvalidSilenceException(String message) {
        super(message);
    }
}
